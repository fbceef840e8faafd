"""HTTP calls to a gradcheck service: the request bodies, the answers, the errors.

Standard library only (urllib, json). Values are converted to JSON with `to_json`: anything with
`.tolist()` (numpy arrays and numpy scalars) becomes nested lists and Python numbers.
"""
import json
import math
import os
import re
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request

from .errors import GradcheckError, ServiceError, Timeout, Unreachable
from .result import CheckResult

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 120.0

# The network body's gradient names (the notebook's backward_propagation_n dict): dW1, db1, dZ1,
# dA0, ... Any other key is left out of the request and reported on the result (`ignored`).
_NETWORK_GRADIENT = re.compile(r"^d(W|b|Z|A)[0-9]+$")

# Top-level options of a layer check (everything else a caller passes to check_layer is one of
# the layer's hyper-parameters, such as stride or pad).
_TOP_LEVEL_OPTIONS = frozenset(
    ["epsilon", "threshold", "method", "mode", "samples", "directions", "seed", "dtype", "only"]
)


def default_url():
    """The service's URL: $GRADCHECK_URL, else http://127.0.0.1:8080."""
    return os.environ.get("GRADCHECK_URL") or DEFAULT_URL


def to_json(value, path="body"):
    """`value` as JSON-ready Python: `.tolist()` is called on anything that has it (numpy arrays
    and scalars), tuples become lists, mapping keys must be strings. NaN and infinity are refused
    here, naming where they are, since JSON has no such numbers."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(key): to_json(item, "%s.%s" % (path, key)) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item, path) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise GradcheckError("%s contains %r: JSON has no NaN or infinity, so the service cannot read it" % (path, value))
        return value
    raise GradcheckError("%s: cannot send a value of type %s (numbers, lists, dicts and arrays with .tolist() can be sent)"
                         % (path, type(value).__name__))


class Client:
    """A gradcheck service at `url` (default $GRADCHECK_URL or http://127.0.0.1:8080).

    `timeout` is how long, in seconds, to wait for the service to connect and for each read of its
    answer (default 120). The module's functions (`check`, `forward`, ...) use a fresh Client.
    """

    def __init__(self, url=None, timeout=DEFAULT_TIMEOUT):
        self.url = (url or default_url()).rstrip("/")
        self.timeout = timeout
        host = urllib.parse.urlsplit(self.url).hostname or ""
        # A service on this machine is asked directly, never through an http_proxy.
        handlers = [urllib.request.ProxyHandler({})] if host in ("127.0.0.1", "localhost", "::1") else []
        self._opener = urllib.request.build_opener(*handlers)

    # ---- the endpoints ----------------------------------------------------------------------

    def forward(self, parameters=None, X=None, Y=None, **options):
        """POST /forward: `{"cost": ..., "AL": [[...]]}` (a layer or network body: its outputs)."""
        return self.post("forward", network_body(parameters, None, X, Y, options)[0])

    def backward(self, parameters=None, X=None, Y=None, **options):
        """POST /backward: `{"cost": ..., "gradients": {"dW1": [[...]], ...}}`."""
        return self.post("backward", network_body(parameters, None, X, Y, options)[0])

    def check(self, parameters=None, gradients=None, X=None, Y=None, progress=False, **options):
        """POST /gradcheck with the notebook's dicts: `parameters` ({"W1": ..., "b1": ...}),
        `gradients` (what backward_propagation_n returns; dZ/dA included; None checks the
        service's own backward), `X`, `Y`, and any of the service's options (`epsilon`,
        `dtype`, `mode`, `activation`, `output`, `lambd`, ...). Answers a CheckResult."""
        body, ignored = network_body(parameters, gradients, X, Y, options)
        return self.check_body(body, progress=progress, ignored=ignored)

    def check_layer(self, type, inputs=None, gradients=None, upstream=None, convention="cs231n",
                    progress=False, **hyper):
        """POST /gradcheck with a layer body: one layer function of CS231n's layers.py
        (convention "cs231n") or the deeplearning.ai notebooks ("dlai"). `inputs` are the layer's
        array arguments by the convention's names, `upstream` the gradient flowing in (e.g.
        {"dout": ...}; None lets the service draw one from `seed`), `gradients` what your
        backward returned. Hyper-parameters (stride, pad, p, mask, eps, ...) are keyword
        arguments; `epsilon`, `threshold`, `mode`, `seed`, `dtype`, ... go to the top level."""
        return self.check_body(layer_body(type, inputs, gradients, upstream, convention, hyper), progress=progress)

    def check_network(self, layers, X=None, y=None, gradients=None, loss="softmax", reg=0.0,
                      convention="cs231n", progress=False, **options):
        """POST /gradcheck with a network body: `layers` is the ordered list of
        {"name", "type", hyper-parameters..., "params": {...}} ending in `loss`; `gradients` are
        keyed by layer name, then by gradient name ({"conv1": {"dw": ..., "db": ...}})."""
        return self.check_body(network_of_layers_body(layers, X, y, gradients, loss, reg, convention, options),
                               progress=progress)

    def forward_layer(self, type, inputs=None, upstream=None, convention="cs231n", **hyper):
        """POST /forward with a layer body: the layer's outputs."""
        return self.post("forward", layer_body(type, inputs, None, upstream, convention, hyper))

    def backward_layer(self, type, inputs=None, upstream=None, convention="cs231n", **hyper):
        """POST /backward with a layer body: exactly what the layer's backward must return."""
        return self.post("backward", layer_body(type, inputs, None, upstream, convention, hyper))

    def check_body(self, body, progress=False, ignored=()):
        """POST an already built /gradcheck body (a dict, e.g. a JSON file's contents)."""
        body = to_json(body)
        if progress:
            answer = self._post_streaming("gradcheck", body, progress)
        else:
            answer = self.post("gradcheck", body)
        return CheckResult(answer, body=body, client=self, ignored=ignored)

    def report_html(self, body):
        """The service's HTML report of a /gradcheck body (Accept: text/html)."""
        return self._request("gradcheck", to_json(body), accept="text/html").decode("utf-8")

    # ---- HTTP ---------------------------------------------------------------------------------

    def post(self, endpoint, body):
        """POST `body` as JSON to `endpoint` and answer the decoded JSON."""
        raw = self._request(endpoint, to_json(body), accept="application/json")
        return _decode(raw, self.url + "/" + endpoint)

    def _open(self, endpoint, body, accept):
        data = json.dumps(body, allow_nan=False, separators=(",", ":")).encode("utf-8")
        request = urllib.request.Request(
            self.url + "/" + endpoint, data=data, method="POST",
            headers={"Content-Type": "application/json", "Accept": accept,
                     "User-Agent": "gradcheck-client/0.1 (python)"})
        where = self.url + "/" + endpoint
        try:
            return self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            raise _service_error(error, where) from None
        except (socket.timeout, TimeoutError):
            raise Timeout("the gradcheck service at %s did not answer within %s s (pass timeout= for a longer wait, "
                          "or progress=True to watch a long check)" % (self.url, self.timeout)) from None
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise Timeout("the gradcheck service at %s did not answer within %s s (pass timeout= for a longer "
                              "wait)" % (self.url, self.timeout)) from None
            raise Unreachable("could not reach the gradcheck service at %s (%s); is it running? start it with "
                              "scripts/serve.sh, or pass url=" % (self.url, reason), url=self.url) from None

    def _request(self, endpoint, body, accept):
        response = self._open(endpoint, body, accept)
        try:
            with response:
                return response.read()
        except (socket.timeout, TimeoutError):
            raise Timeout("the gradcheck service at %s stopped answering for %s s (pass timeout= for a longer wait)"
                          % (self.url, self.timeout)) from None

    def _post_streaming(self, endpoint, body, progress):
        """Accept: application/x-ndjson: a progress line now and then, the answer (or the problem
        that ended the check) as the last line."""
        where = self.url + "/" + endpoint
        response = self._open(endpoint, body, "application/x-ndjson")
        bar = _ProgressBar(progress)
        last = None
        try:
            with response:
                for line in response:
                    line = line.strip()
                    if not line:
                        continue
                    value = _decode(line, where)
                    if isinstance(value, dict) and set(value) == {"progress"}:
                        bar.update(value["progress"])
                    else:
                        last = value
        except (socket.timeout, TimeoutError):
            raise Timeout("the gradcheck service at %s sent nothing for %s s while streaming (pass timeout=)"
                          % (self.url, self.timeout)) from None
        finally:
            bar.close()
        if last is None:
            raise ServiceError("the service's stream at %s ended without an answer" % where, status=None)
        if _is_problem(last):
            raise ServiceError.from_problem(last, where)
        return last


# ---- request bodies ---------------------------------------------------------------------------

def network_body(parameters, gradients, X, Y, options):
    """The notebook network's body, and the gradient keys left out (not the service's names)."""
    body = {}
    if X is not None:
        body["X"] = X
    if Y is not None:
        body["Y"] = Y
    if parameters is not None:
        body["parameters"] = parameters
    ignored = []
    if gradients is not None:
        known = _network_gradient_names(parameters, options.get("output"))
        sent = {}
        for key, value in dict(gradients).items():
            if _NETWORK_GRADIENT.match(str(key)) and (known is None or str(key) in known):
                sent[key] = value
            else:
                ignored.append(str(key))
        body["gradients"] = sent
    for key, value in options.items():
        if value is not None:
            body[key] = value
    return body, ignored


def _network_gradient_names(parameters, output):
    """The gradient names the service checks for these parameters: dW_l, db_l, dZ_l (l = 1..L),
    dA_0..dA_(L-1), and dA_L for a sigmoid output. None when L cannot be read here."""
    try:
        layers = max(int(str(key)[1:]) for key in dict(parameters) if re.match(r"^W[0-9]+$", str(key)))
    except (TypeError, ValueError):
        return None
    names = {"d%s%d" % (kind, layer) for kind in "WbZ" for layer in range(1, layers + 1)}
    names.update("dA%d" % layer for layer in range(0, layers))
    if (output or "sigmoid") == "sigmoid":
        names.add("dA%d" % layers)
    return names


def layer_body(type, inputs, gradients, upstream, convention, hyper):
    layer = {"type": type}
    body = {"convention": convention, "layer": layer, "inputs": inputs if inputs is not None else {}}
    for key, value in hyper.items():
        if value is None:
            continue
        (body if key in _TOP_LEVEL_OPTIONS else layer)[key] = value
    if upstream is not None:
        body["upstream"] = upstream
    if gradients is not None:
        body["gradients"] = gradients
    return body


def network_of_layers_body(layers, X, y, gradients, loss, reg, convention, options):
    body = {"convention": convention, "layers": list(layers), "loss": loss, "reg": reg}
    if X is not None:
        body["X"] = X
    if y is not None:
        body["y"] = y
    if gradients is not None:
        body["gradients"] = gradients
    for key, value in options.items():
        if value is not None:
            body[key] = value
    return body


# ---- answers ----------------------------------------------------------------------------------

def _decode(raw, where):
    try:
        return json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except ValueError as error:
        raise ServiceError("the service at %s answered something that is not JSON (%s)" % (where, error),
                           status=None) from None


def _is_problem(value):
    return isinstance(value, dict) and "status" in value and "detail" in value and "title" in value


def _service_error(error, where):
    try:
        raw = error.read()
    except Exception:  # the body could not be read: the status still says what happened
        raw = b""
    try:
        problem = json.loads(raw.decode("utf-8"))
    except ValueError:
        problem = None
    if _is_problem(problem):
        return ServiceError.from_problem(problem, where)
    text = raw.decode("utf-8", "replace").strip()[:300]
    return ServiceError("%s answered HTTP %d%s" % (where, error.code, (": " + text) if text else ""),
                        status=error.code)


class _ProgressBar:
    """tqdm when it is installed, else one line on stderr redrawn in place."""

    def __init__(self, enabled):
        self.enabled = bool(enabled)
        self.tqdm = None
        self.drawn = False
        self.done = 0

    def update(self, progress):
        if not self.enabled:
            return
        done, total = int(progress.get("done", 0)), int(progress.get("total", 0))
        if total <= 0:
            return
        if self.tqdm is None:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self.tqdm = tqdm(total=total, unit="coord", desc="gradcheck")
        if self.tqdm is not None:
            self.tqdm.update(done - self.done)
            self.done = done
            return
        width = 30
        filled = done * width // total
        eta = progress.get("eta_seconds")
        eta = "?" if eta is None else "%.1f" % eta
        sys.stderr.write("\r[%s%s] %3d%% %d/%d, about %s s left " % (
            "#" * filled, "." * (width - filled), done * 100 // total, done, total, eta))
        sys.stderr.flush()
        self.drawn = True

    def close(self):
        if self.tqdm is not None:
            self.tqdm.close()
        elif self.drawn:
            sys.stderr.write("\r%s\r" % (" " * 70))
            sys.stderr.flush()
