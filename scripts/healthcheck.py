"""Container health checks for docker-compose.yml (standard library only, fast).

    python scripts/healthcheck.py web      GET /healthz on this container: healthy on 200
    python scripts/healthcheck.py broker   the Celery broker (Redis) answers PING

The web check sends the first ALLOWED_HOSTS name as Host (Django rejects other hosts) and
X-Forwarded-Proto: https, as the load balancer does; /healthz is also exempt from the HTTPS
redirect. The broker check is for beat, which has no ping of its own: beat is a single
process (PID 1 of its container, so its death stops the container); what can go wrong
while it runs is losing the broker it publishes to. Workers use `celery inspect ping`.
"""

from __future__ import annotations

import http.client
import os
import socket
import sys
from urllib.parse import unquote, urlsplit

TIMEOUT_S = 5.0


def host_header() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def check_web() -> bool:
    port = int(os.environ.get("HEALTHCHECK_PORT", "8000"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        connection.request(
            "GET", "/healthz", headers={"Host": host_header(), "X-Forwarded-Proto": "https"}
        )
        response = connection.getresponse()
        print(response.status, response.read(500).decode(errors="replace"))
        return response.status == 200
    finally:
        connection.close()


def check_broker() -> bool:
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        print(f"broker {parts.scheme or 'filesystem'}:// is not checked")
        return True
    if parts.scheme == "rediss":
        import ssl

        raw = socket.create_connection((parts.hostname, parts.port or 6379), timeout=TIMEOUT_S)
        sock = ssl.create_default_context().wrap_socket(raw, server_hostname=parts.hostname)
    else:
        sock = socket.create_connection((parts.hostname, parts.port or 6379), timeout=TIMEOUT_S)
    with sock:
        if parts.password:
            credentials = [unquote(parts.password)]
            if parts.username:
                credentials.insert(0, unquote(parts.username))
            sock.sendall(resp_command("AUTH", *credentials))
            if not sock.recv(64).startswith(b"+OK"):
                print("broker refused the credentials")
                return False
        sock.sendall(resp_command("PING"))
        reply = sock.recv(64)
    print(reply.decode(errors="replace").strip())
    return reply.startswith(b"+PONG")


def resp_command(*words: str) -> bytes:
    parts = [f"*{len(words)}\r\n".encode()]
    for word in words:
        data = word.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def main(argv: list[str]) -> int:
    checks = {"web": check_web, "broker": check_broker}
    if len(argv) != 2 or argv[1] not in checks:
        print(f"usage: {argv[0]} {{{'|'.join(checks)}}}", file=sys.stderr)
        return 2
    try:
        return 0 if checks[argv[1]]() else 1
    except OSError as exc:
        print(f"{argv[1]}: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
