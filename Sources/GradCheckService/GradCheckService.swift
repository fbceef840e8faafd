// Placeholder: the JSON API lives here (issue 4).
import GradCheck
import HTTPServer
