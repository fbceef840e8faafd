// Placeholder: the benchmark (issue 5).
import GradCheck
print("gradcheck-bench: not built yet")
