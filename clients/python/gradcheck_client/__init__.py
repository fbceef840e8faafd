"""gradcheck_client: check hand-written backpropagation against a gradcheck service.

    import gradcheck_client as gc
    result = gc.check(parameters, gradients, X=X, Y=Y)     # the notebook's dicts, numpy arrays as they are
    print(result)                                          # verdict, the lines to fix; in Jupyter: the HTML report

`url=` (or $GRADCHECK_URL) names the service, default http://127.0.0.1:8080; `timeout=` bounds the
wait in seconds; every other keyword is one of the service's options (epsilon, dtype, mode, ...).
"""
from .client import DEFAULT_TIMEOUT, DEFAULT_URL, Client, default_url, to_json
from .errors import GradcheckError, ServiceError, Timeout, Unreachable
from .result import CheckResult

__all__ = [
    "check", "forward", "backward", "check_layer", "check_network", "check_body",
    "Client", "CheckResult", "GradcheckError", "ServiceError", "Unreachable", "Timeout",
    "DEFAULT_URL", "DEFAULT_TIMEOUT", "default_url", "to_json",
]
__version__ = "0.1.0"


def check(parameters=None, gradients=None, X=None, Y=None, url=None, timeout=DEFAULT_TIMEOUT, progress=False,
          **options):
    """Check `gradients` (the dict your backward_propagation_n returns; None: the service's own
    backward) against numerical ones for the network `parameters` on `X`, `Y`. Answers a
    CheckResult: `passed`, `difference`, `failed`, `root_causes`, `str()`, HTML in Jupyter."""
    return Client(url, timeout).check(parameters, gradients, X=X, Y=Y, progress=progress, **options)


def forward(parameters=None, X=None, Y=None, url=None, timeout=DEFAULT_TIMEOUT, **options):
    """The service's forward pass: {"cost": ..., "AL": [[...]]}."""
    return Client(url, timeout).forward(parameters, X=X, Y=Y, **options)


def backward(parameters=None, X=None, Y=None, url=None, timeout=DEFAULT_TIMEOUT, **options):
    """The service's backward pass: {"cost": ..., "gradients": {"dW1": ..., ...}}."""
    return Client(url, timeout).backward(parameters, X=X, Y=Y, **options)


def check_layer(type, inputs=None, gradients=None, upstream=None, convention="cs231n", url=None,
                timeout=DEFAULT_TIMEOUT, progress=False, **hyper):
    """Check one layer's backward: e.g. check_layer("conv", inputs={"x": x, "w": w, "b": b},
    gradients={"dx": dx, "dw": dw, "db": db}, upstream={"dout": dout}, stride=1, pad=1)."""
    return Client(url, timeout).check_layer(type, inputs=inputs, gradients=gradients, upstream=upstream,
                                            convention=convention, progress=progress, **hyper)


def check_network(layers, X=None, y=None, gradients=None, loss="softmax", reg=0.0, convention="cs231n", url=None,
                  timeout=DEFAULT_TIMEOUT, progress=False, **options):
    """Check a network of named layers ending in a loss; gradients keyed by layer name."""
    return Client(url, timeout).check_network(layers, X=X, y=y, gradients=gradients, loss=loss, reg=reg,
                                              convention=convention, progress=progress, **options)


def check_body(body, url=None, timeout=DEFAULT_TIMEOUT, progress=False):
    """Check a request body as the API takes it (a dict, e.g. json.load of an example file)."""
    return Client(url, timeout).check_body(body, progress=progress)
