"""The progress display on its own (no server): tqdm when it can be imported, a plain line
otherwise, both fed the service's {"done", "total", "eta_seconds"} lines."""
import sys
import types

from gradcheck_client.client import _ProgressBar


def test_tqdm_is_used_when_installed(monkeypatch):
    made = []

    class FakeTqdm:
        def __init__(self, total, unit, desc):
            self.total, self.done, self.closed = total, 0, False
            made.append(self)

        def update(self, n):
            self.done += n

        def close(self):
            self.closed = True

    module = types.ModuleType("tqdm.auto")
    module.tqdm = FakeTqdm
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", module)
    bar = _ProgressBar(True)
    bar.update({"done": 490, "total": 6273, "seconds": 1, "eta_seconds": 11.8})
    bar.update({"done": 784, "total": 6273, "seconds": 1.5, "eta_seconds": 10.5})
    bar.close()
    assert len(made) == 1 and made[0].total == 6273 and made[0].done == 784 and made[0].closed


def test_a_plain_line_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    bar = _ProgressBar(True)
    bar.update({"done": 0, "total": 100, "seconds": 0.5, "eta_seconds": None})
    bar.update({"done": 50, "total": 100, "seconds": 1, "eta_seconds": 1.0})
    bar.close()
    err = capsys.readouterr().err
    assert "0/100, about ? s left" in err and " 50% 50/100, about 1.0 s left" in err
    assert err.endswith("\r")


def test_nothing_is_shown_when_progress_is_off(capsys):
    bar = _ProgressBar(False)
    bar.update({"done": 1, "total": 2, "eta_seconds": 1})
    bar.close()
    assert capsys.readouterr().err == ""
