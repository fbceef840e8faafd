"""python -m gradcheck_client check BODY.json [--url]: the exit codes of scripts/gradcheck.sh
(0 passed, 1 failed, 2 usage or missing file, 3 unreachable, 4 the service answered an error)."""
import json
import os
import socket
import subprocess
import sys

import gradcheck_client


def run(*arguments, stdin=None):
    environment = dict(os.environ)
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(gradcheck_client.__file__)))
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, environment.get("PYTHONPATH")]))
    environment.pop("GRADCHECK_URL", None)
    return subprocess.run([sys.executable, "-m", "gradcheck_client"] + list(arguments), input=stdin,
                          capture_output=True, text=True, timeout=120, env=environment)


def test_a_passing_check_exits_0(server_url, examples):
    done = run("check", os.path.join(examples, "notebook.json"), "--url", server_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("gradient check PASSED")


def test_a_failing_check_exits_1_and_names_the_lines(server_url, examples):
    done = run("check", os.path.join(examples, "notebook-buggy-full.json"), "--url", server_url)
    assert done.returncode == 1, done.stderr
    assert "gradient check FAILED" in done.stdout
    assert "dW2" in done.stdout and "db1" in done.stdout and "multiplies by 4" in done.stdout


def test_json_and_html_outputs(server_url, examples, tmp_path):
    report = tmp_path / "report.html"
    done = run("check", os.path.join(examples, "notebook-buggy.json"), "--url", server_url, "--json",
               "--html", str(report))
    assert done.returncode == 1, done.stderr
    answer = json.loads(done.stdout.splitlines()[-2])
    assert answer["failed"] == ["b1", "W2"]
    assert 'id="report"' in report.read_text()


def test_stdin_body_and_forward(server_url, examples):
    with open(os.path.join(examples, "scalar.json")) as handle:
        body = handle.read()
    done = run("forward", "-", "--url", server_url, stdin=body)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"J": 8}


def test_usage_errors_exit_2(server_url, tmp_path):
    assert run().returncode == 2
    assert run("check").returncode == 2
    assert run("verify", "x.json").returncode == 2
    missing = run("check", str(tmp_path / "missing.json"), "--url", server_url)
    assert missing.returncode == 2 and "missing.json" in missing.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    assert run("check", str(garbage), "--url", server_url).returncode == 2


def test_an_unreachable_service_exits_3(examples):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = "http://127.0.0.1:%d" % probe.getsockname()[1]
    done = run("check", os.path.join(examples, "notebook.json"), "--url", url)
    assert done.returncode == 3
    assert url in done.stderr


def test_an_error_answer_exits_4_with_the_detail(server_url, tmp_path):
    body = tmp_path / "typo.json"
    body.write_text(json.dumps({"x": 2, "theta": 4, "epsilion": 1e-7}))
    done = run("check", str(body), "--url", server_url)
    assert done.returncode == 4
    assert "epsilion" in done.stderr and "HTTP 422" in done.stderr
