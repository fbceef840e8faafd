// Placeholder: the executable (issue 4).
import GradCheckService
print("gradcheck-server: not built yet")
