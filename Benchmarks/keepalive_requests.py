"""Sends COUNT identical requests over one kept-alive HTTP/1.1 connection and checks every answer.

    python3 Benchmarks/keepalive_requests.py PORT PATH COUNT [BODY_FILE]

GET PATH when BODY_FILE is absent, else POST its bytes as application/json. Exits 1 on any
answer that is not 2xx, so a count of instructions never covers error answers by mistake.
Used by instructions.sh: the client's own speed does not matter there, only its count.
"""

import http.client
import sys


def main() -> int:
    port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    body = open(sys.argv[4], "rb").read() if len(sys.argv) > 4 else None
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    for _ in range(count):
        connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        if not 200 <= answer.status < 300:
            print(f"{path}: answer {answer.status}", file=sys.stderr)
            return 1
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
