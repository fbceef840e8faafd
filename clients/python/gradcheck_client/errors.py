"""What can go wrong when asking the service, as exceptions a notebook can catch."""


class GradcheckError(Exception):
    """Base of every error the client raises (also: a value that cannot be sent as JSON)."""


class ServiceError(GradcheckError):
    """The service answered an error (4xx/5xx, application/problem+json). The message is the
    problem's `detail`, which names the field at fault; `status`, `field` and the whole `problem`
    are attributes."""

    def __init__(self, message, status=None, field=None, problem=None):
        super().__init__(message)
        self.detail = message
        self.status = status
        self.field = field
        self.problem = problem or {}

    @classmethod
    def from_problem(cls, problem, where=None):
        return cls(str(problem.get("detail") or problem.get("title") or "HTTP %s" % problem.get("status")),
                   status=problem.get("status"), field=problem.get("field"), problem=problem)


class Unreachable(GradcheckError, ConnectionError):
    """The service could not be reached at `url` (not running, wrong port, wrong host)."""

    def __init__(self, message, url=None):
        super().__init__(message)
        self.url = url


class Timeout(GradcheckError, TimeoutError):
    """The service did not answer within the client's `timeout`."""
