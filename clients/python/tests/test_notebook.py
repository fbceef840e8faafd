"""The notebook's story, end to end against the real server: the student's numpy dicts go in as
they are, the buggy backward fails with dW2 and db1 named, the fixed one passes."""
import socket
import threading

import numpy as np
import pytest

import gradcheck_client as gc
import numpy_reference as ref


@pytest.fixture(scope="module")
def case(notebook):
    X, Y, parameters = ref.arrays(notebook)
    cost, values = ref.forward(X, Y, parameters)
    return {"X": X, "Y": Y, "parameters": parameters, "cost": cost, "values": values}


def test_forward_and_backward_agree_with_the_numpy_oracle(server_url, case):
    answer = gc.forward(case["parameters"], X=case["X"], Y=case["Y"], url=server_url)
    assert answer["cost"] == pytest.approx(case["cost"], rel=1e-12)
    np.testing.assert_allclose(answer["AL"], case["values"][-1][1], rtol=1e-12)
    gradients = gc.backward(case["parameters"], X=case["X"], Y=case["Y"], url=server_url)["gradients"]
    mine = ref.backward(case["X"], case["Y"], case["parameters"], case["values"])
    assert sorted(gradients) == ["dW1", "dW2", "dW3", "db1", "db2", "db3"]
    for name, value in gradients.items():
        np.testing.assert_allclose(value, mine[name], rtol=1e-12, atol=1e-15, err_msg=name)


def test_buggy_gradients_fail_with_dW2_and_db1_named(server_url, case):
    gradients = ref.buggy_backward(case["X"], case["Y"], case["parameters"], case["values"])
    result = gc.check(case["parameters"], gradients, X=case["X"], Y=case["Y"], url=server_url)
    assert result.passed is False
    # The notebook's difference, computed here by the notebook's own recipe in numpy.
    expected = ref.numerical_difference(case["X"], case["Y"], case["parameters"], gradients)
    assert result.difference == pytest.approx(expected, rel=1e-6)
    assert sorted(result.failed) == ["W2", "b1"]
    assert sorted(result.wrong_gradients) == ["dW2", "db1"]
    causes = result.root_causes
    assert len(causes) == 2 and all(isinstance(cause, str) for cause in causes)
    assert any("dW2" in cause and "2 times" in cause for cause in causes), causes
    assert any("db1" in cause and "4 times" in cause for cause in causes), causes
    summary = str(result)
    assert summary.startswith("gradient check FAILED")
    assert "dW2" in summary and "db1" in summary and "There is a mistake" in summary
    assert "passed=False" in repr(result)


def test_the_fixed_gradients_pass(server_url, case):
    gradients = ref.backward(case["X"], case["Y"], case["parameters"], case["values"])
    result = gc.check(case["parameters"], gradients, X=case["X"], Y=case["Y"], url=server_url)
    assert result.passed is True
    assert result.difference < 1e-7
    assert result.failed == [] and result.root_causes == []
    # The notebook's own recipe in float64 lands just above 1e-7 here (about 1.2e-7: J(theta +/- eps)
    # is about 2.4, so the subtraction keeps only ~9 digits), the very false alarm the service's
    # rounding floor avoids; the oracle is only asked to be small.
    assert ref.numerical_difference(case["X"], case["Y"], case["parameters"], gradients) < 1e-6
    assert str(result).startswith("gradient check PASSED")
    assert "works perfectly fine" in str(result)


def test_without_gradients_the_service_checks_its_own_backward(server_url, case):
    result = gc.check(case["parameters"], X=case["X"], Y=case["Y"], url=server_url)
    assert result.passed and result.difference < 1e-12


def test_keys_that_are_not_gradients_are_reported_not_fatal(server_url, case):
    gradients = ref.buggy_backward(case["X"], case["Y"], case["parameters"], case["values"])
    gradients["cache"] = [1, 2, 3]
    gradients["dW7"] = np.zeros((1, 1))
    result = gc.check(case["parameters"], gradients, X=case["X"], Y=case["Y"], url=server_url)
    assert sorted(result.ignored) == ["cache", "dW7"]
    assert "not sent" in str(result) and "cache" in str(result)
    assert sorted(result.wrong_gradients) == ["dW2", "db1"]


def test_a_float32_run_passes_with_the_float32_note(server_url, notebook):
    X, Y, parameters = ref.arrays(notebook, dtype=np.float32)
    _, values = ref.forward(X, Y, parameters)
    gradients = ref.backward(X, Y, parameters, values)
    assert all(value.dtype == np.float32 for value in gradients.values())
    # Without dtype: judged as float64, it passes, and the answer says the difference is float32
    # rounding and how to say so.
    result = gc.check(parameters, gradients, X=X, Y=Y, url=server_url)
    assert result.passed, str(result)
    assert any("float32" in note and '"dtype": "float32"' in note for note in result.notes), result.notes
    assert "float32 values" in result.explanation and "float64 rounding" not in result.explanation
    assert "float32" in str(result)
    result = gc.check(parameters, gradients, X=X, Y=Y, dtype="float32", url=server_url)
    assert result.passed, str(result)
    assert result["dtype"] == "float32"
    assert "float32" in result.explanation
    # float32 rounding, not a mistake: far above float64's floor, within float32's.
    assert 1e-12 < result.difference < 10 * result["floor"]


def test_a_typo_in_an_option_raises_with_the_field_named(server_url, case):
    with pytest.raises(gc.ServiceError) as raised:
        gc.check(case["parameters"], X=case["X"], Y=case["Y"], epsilion=1e-7, url=server_url)
    assert "epsilion" in str(raised.value)
    assert str(raised.value) == raised.value.problem["detail"]
    assert raised.value.status == 422 and raised.value.field == "epsilion"


def test_a_shape_mistake_names_the_tensor_and_both_shapes(server_url, case):
    parameters = dict(case["parameters"], W2=case["parameters"]["W2"][:, 1:])
    with pytest.raises(gc.ServiceError) as raised:
        gc.check(parameters, X=case["X"], Y=case["Y"], url=server_url)
    assert "W2" in str(raised.value) and "(3, 4)" in str(raised.value) and "(3, 5)" in str(raised.value)


def test_nan_is_refused_before_sending_with_where_it_is(server_url, case):
    parameters = dict(case["parameters"], b2=np.full((3, 1), np.nan))
    with pytest.raises(gc.GradcheckError, match=r"parameters\.b2"):
        gc.check(parameters, X=case["X"], Y=case["Y"], url=server_url)


def test_the_html_repr_is_the_services_report(server_url, case):
    gradients = ref.buggy_backward(case["X"], case["Y"], case["parameters"], case["values"])
    result = gc.check(case["parameters"], gradients, X=case["X"], Y=case["Y"], url=server_url)
    page = result._repr_html_()
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert 'id="report"' in page and 'id="verdict"' in page
    assert "There is a mistake in the backward propagation!" in page
    assert 'id="tensor-W2"' in page and 'id="heatmap-W2"' in page
    assert result._repr_html_() is page  # asked once


def test_the_scalar_case(server_url):
    result = gc.check(x=2, theta=4, url=server_url)
    assert result.passed and result["dtheta"] == 2
    assert not gc.check(x=2, theta=4, dtheta=3, url=server_url).passed


def test_progress_streams_and_answers_the_same(server_url, case, capsys):
    gradients = ref.buggy_backward(case["X"], case["Y"], case["parameters"], case["values"])
    plain = gc.check(case["parameters"], gradients, X=case["X"], Y=case["Y"], url=server_url)
    streamed = gc.check(case["parameters"], gradients, X=case["X"], Y=case["Y"], url=server_url, progress=True)
    assert streamed.json["difference"] == plain.json["difference"]
    assert streamed.failed == plain.failed and streamed.root_causes == plain.root_causes


def test_progress_shows_a_line_on_a_long_check(server_url, release_server, capsys):
    if not release_server:
        pytest.skip("a debug build runs this one-second check past the deadline its price allows "
                    "(SystemTests/python-client-test.sh runs the release build)")
    # A tanh network whose full check takes 1-2 s on the release build (150,701 coordinates):
    # the service sends a progress line every 0.5 s.
    rng = np.random.RandomState(3)
    sizes, m = [300, 300, 200, 1], 256
    parameters = {}
    for l in range(1, len(sizes)):
        parameters["W%d" % l] = rng.randn(sizes[l], sizes[l - 1]) / np.sqrt(sizes[l - 1])
        parameters["b%d" % l] = rng.randn(sizes[l], 1) * 0.1
    X, Y = rng.randn(sizes[0], m), (rng.rand(1, m) > 0.5) * 1.0
    try:
        import tqdm  # noqa: F401
        pytest.skip("tqdm is installed: it draws the bar; the plain line is what this test reads")
    except ImportError:
        pass
    result = gc.check(parameters, X=X, Y=Y, activation="tanh", url=server_url, progress=True, timeout=60)
    assert result.passed
    err = capsys.readouterr().err
    if result["seconds"] < 0.6:
        pytest.skip("the check took %.2f s, before the service's first progress line" % result["seconds"])
    assert "%" in err and "s left" in err and "/150701" in err, err
    assert err.endswith("\r"), "the progress line is cleared at the end"


def test_an_unreachable_service_is_named_with_its_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = "http://127.0.0.1:%d" % port
    with pytest.raises(gc.Unreachable) as raised:
        gc.check(x=2, theta=4, url=url)
    assert url in str(raised.value) and raised.value.url == url
    assert isinstance(raised.value, ConnectionError)


def test_a_silent_service_times_out_after_the_timeout_option():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    url = "http://127.0.0.1:%d" % listener.getsockname()[1]
    try:
        with pytest.raises(gc.Timeout) as raised:
            gc.check(x=2, theta=4, url=url, timeout=0.5)
        assert url in str(raised.value) and "0.5 s" in str(raised.value)
    finally:
        thread.join(5)
        for connection, _ in accepted:
            connection.close()
        listener.close()


def test_the_url_comes_from_GRADCHECK_URL(server_url, monkeypatch):
    monkeypatch.setenv("GRADCHECK_URL", server_url)
    assert gc.check(x=2, theta=4).passed
