"""The answer of a gradient check, read the way a student reads it."""
import html
import re

_PARAMETER = re.compile(r"^[Wb][0-9]+$")


class CheckResult:
    """The service's answer to POST /gradcheck.

    - `passed`, `difference`, `message`: the notebook's verdict.
    - `failed`: the tensors whose gradients are wrong (`["b1", "W2"]`; `"conv1.dw"` for layers).
    - `root_causes`: sentences that name the first wrong steps of your backward pass and what kind
      of slip each is; `propagated`: gradients wrong only because of them.
    - `notes`, `explanation`: what else the service says (float32 rounding, kinks, ...).
    - `ignored`: keys of your gradients dict that are not gradients the service checks (left out).
    - `json` (or `result["member"]`): the whole answer.
    - `str(result)`: a short plain-text summary; in Jupyter the result shows the service's HTML
      report (asked again with Accept: text/html).
    """

    def __init__(self, answer, body=None, client=None, ignored=()):
        self.json = answer
        self._body = body
        self._client = client
        self._html = None
        self.ignored = list(ignored)

    def __getitem__(self, member):
        return self.json[member]

    @property
    def passed(self):
        return bool(self.json.get("passed"))

    @property
    def difference(self):
        return self.json.get("difference")

    @property
    def message(self):
        return self.json.get("message", "")

    @property
    def explanation(self):
        return self.json.get("explanation")

    @property
    def failed(self):
        return list(self.json.get("failed") or [])

    @property
    def wrong_gradients(self):
        """`failed` as gradient names: dW2 for W2 (layer gradients are named already)."""
        return ["d" + name if _PARAMETER.match(name) else name for name in self.failed]

    @property
    def root_causes(self):
        return [cause.get("message") or "%s: %s" % (cause.get("gradient"), cause.get("kind"))
                for cause in self.json.get("root_causes") or []]

    @property
    def propagated(self):
        return list(self.json.get("propagated") or [])

    @property
    def notes(self):
        return list(self.json.get("notes") or [])

    @property
    def parameters(self):
        return dict(self.json.get("parameters") or {})

    def diagnoses(self):
        """Per-tensor sentences for the tensors that failed (e.g. "dW2 is 2.000 times the
        numerical gradient"), for when no root cause could be named."""
        lines = []
        for group in ("parameters", "intermediates"):
            for name, entry in (self.json.get(group) or {}).items():
                if isinstance(entry, dict) and entry.get("passed") is False and entry.get("diagnosis"):
                    lines.append(entry["diagnosis"])
        return lines

    def __repr__(self):
        return "<CheckResult passed=%s difference=%r failed=%r>" % (self.passed, self.difference, self.failed)

    def __str__(self):
        difference = self.difference
        shown = "%.3g" % difference if isinstance(difference, (int, float)) else str(difference)
        lines = ["gradient check %s: difference = %s (threshold %s)" % (
            "PASSED" if self.passed else "FAILED", shown, self.json.get("threshold", "1e-07"))]
        if self.message:
            lines.append(self.message)
        if self.explanation and self.passed:  # which rule passed it (float32 rounding, say)
            lines.append(self.explanation)
        if self.failed:
            lines.append("wrong: " + ", ".join(self.wrong_gradients))
        causes = self.root_causes or ([] if self.passed else self.diagnoses())
        if causes:
            lines.append("what to fix:")
            lines.extend("  - " + cause for cause in causes)
        if self.propagated:
            lines.append("wrong only because of the above: " + ", ".join(self.propagated))
        if self.notes:
            lines.append("notes:")
            lines.extend("  - " + note for note in self.notes)
        if self.ignored:
            lines.append("not sent (not gradients the service checks): " + ", ".join(self.ignored))
        return "\n".join(lines)

    def html(self):
        """The service's HTML report of this check (asked once, then kept)."""
        if self._html is None:
            if self._client is None or self._body is None:
                raise ValueError("this result has no request to ask the report for")
            self._html = self._client.report_html(self._body)
        return self._html

    def _repr_html_(self):
        try:
            return self.html()
        except Exception as error:  # Jupyter must still show something: the summary and why
            return "<pre>%s\n\n(the HTML report could not be fetched: %s)</pre>" % (
                html.escape(str(self)), html.escape(str(error)))
