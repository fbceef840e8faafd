"""python -m gradcheck_client check BODY.json [--url URL] [--progress] [--json] [--html FILE] [--timeout S]
python -m gradcheck_client forward|backward BODY.json [--url URL]

Exit status, as scripts/gradcheck.sh: 0 the check passed (forward/backward: answered), 1 the check
failed, 2 usage error or a file that cannot be read, 3 the service is unreachable (or timed out),
4 the service answered an error (its detail is printed).
"""
import argparse
import json
import sys

from .client import DEFAULT_TIMEOUT, Client, default_url
from .errors import GradcheckError, ServiceError, Timeout, Unreachable

PASSED, FAILED, USAGE, UNREACHABLE, SERVICE_ERROR = 0, 1, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 as well; say so with the usage
        self.print_usage(sys.stderr)
        sys.stderr.write("%s: error: %s\n" % (self.prog, message))
        sys.exit(USAGE)


def _parser():
    parser = _Parser(prog="python -m gradcheck_client",
                     description="Ask a gradcheck service about a request body (the API's JSON).",
                     epilog="Exit status: 0 passed, 1 the check failed, 2 usage or unreadable file, "
                            "3 service unreachable or timed out, 4 the service answered an error.")
    commands = parser.add_subparsers(dest="command", metavar="{check,forward,backward}")
    commands.required = True
    for name, what in (("check", "POST /gradcheck and print a summary (exit 1 when the check fails)"),
                       ("forward", "POST /forward and print the JSON answer"),
                       ("backward", "POST /backward and print the JSON answer")):
        command = commands.add_parser(name, help=what, description=what)
        command.add_argument("body", metavar="BODY.json", help="request body file ('-' reads stdin)")
        command.add_argument("--url", default=None, help="the service (default $GRADCHECK_URL or %s)" % default_url())
        command.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                             help="seconds to wait for the service (default %g)" % DEFAULT_TIMEOUT)
        if name == "check":
            command.add_argument("--progress", action="store_true", help="show a progress bar while the check runs")
            command.add_argument("--json", action="store_true", help="print the whole JSON answer after the summary")
            command.add_argument("--html", metavar="FILE", help="also save the service's HTML report to FILE")
    return parser


def _read_body(path):
    try:
        if path == "-":
            return json.load(sys.stdin)
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise _Usage("cannot read %s: %s" % (path, error.strerror or error))
    except ValueError as error:
        raise _Usage("%s is not JSON: %s" % (path, error))


class _Usage(Exception):
    pass


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        body = _read_body(args.body)
        client = Client(args.url, args.timeout)
        if args.command == "check":
            result = client.check_body(body, progress=args.progress)
            print(result)
            if args.json:
                print(json.dumps(result.json))
            if args.html:
                with open(args.html, "w", encoding="utf-8") as handle:
                    handle.write(result.html())
                print("saved the HTML report to %s" % args.html)
            return PASSED if result.passed else FAILED
        print(json.dumps(client.post(args.command, body)))
        return PASSED
    except _Usage as error:
        sys.stderr.write("error: %s\n" % error)
        return USAGE
    except (Unreachable, Timeout) as error:
        sys.stderr.write("error: %s\n" % error)
        return UNREACHABLE
    except ServiceError as error:
        status = " (HTTP %s)" % error.status if error.status else ""
        sys.stderr.write("error%s: %s\n" % (status, error))
        return SERVICE_ERROR
    except GradcheckError as error:  # a value the client cannot send
        sys.stderr.write("error: %s\n" % error)
        return USAGE
    except OSError as error:  # --html FILE could not be written
        sys.stderr.write("error: %s\n" % error)
        return USAGE


if __name__ == "__main__":
    sys.exit(main())
