"""HTTP plumbing of the ticket API bench: a gunicorn server on a free port with the bench
settings, and concurrent clients (threads, one keep-alive connection each) that record
every request's latency."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# The key under which a bench reports its server's answers outside 2xx (bench/run.py fails
# the run when it is not 0).
ERRORS = "answers outside 2xx"

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``gunicorn gridgov.wsgi`` with ``bench.settings`` against the run's database, its
    Celery tasks sent to a scratch ``filesystem://`` folder (queued, not run, as a web
    process does with a broker), stopped on exit."""

    def __init__(self, workers: int, threads: int) -> None:
        self.port = free_port()
        scratch = tempfile.mkdtemp(prefix="gridgov-bench-web-")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATA_DIR": scratch,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_BROKER_URL": "filesystem://",
            "DEBUG": "0",
        }
        env.pop("REDIS_URL", None)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = Path(scratch) / "gunicorn.log"
        command = [str(gunicorn), "gridgov.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        command += ["--worker-class", "gthread", "--threads", str(threads)]
        command += ["--log-level", "warning", "--error-logfile", str(self.log)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                status, _body = request(self.port, "GET", "/healthz")
                if status < 500:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def request(port, method, path, body=None, headers=None, connection=None):
    """One request; returns (status, parsed JSON or raw bytes)."""
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    data = None if body is None else json.dumps(body)
    sent = {"Content-Type": "application/json", **(headers or {})}
    conn.request(method, path, body=data, headers=sent)
    response = conn.getresponse()
    raw = response.read()
    if connection is None:
        conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw


@dataclass
class Load:
    """What a load phase measured: per-request latencies (s) of each kind, and the wall
    time; errors are answers outside 2xx."""

    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[tuple[str, int, object]] = field(default_factory=list)

    def count(self, kind: str | None = None) -> int:
        kinds = [kind] if kind else list(self.latencies)
        return sum(len(self.latencies.get(k, [])) for k in kinds)

    def per_s(self, kind: str | None = None) -> float:
        return self.count(kind) / self.seconds if self.seconds else 0.0

    def p95_ms(self, kind: str) -> float:
        found = sorted(self.latencies.get(kind, []))
        if not found:
            return float("nan")
        if len(found) < 20:
            return found[-1] * 1000
        return statistics.quantiles(found, n=20, method="inclusive")[-1] * 1000

    def median_ms(self, kind: str) -> float:
        found = self.latencies.get(kind, [])
        return statistics.median(found) * 1000 if found else float("nan")


# One client's step: given its connection and a timer, makes its requests (timing each
# with ``timed(kind, method, path, body, headers)``) and returns nothing.
Step = Callable[[http.client.HTTPConnection, Callable], None]


def run_load(
    port: int, clients: int, seconds: float, step: Step, *, per_s: float | None = None
) -> Load:
    """``clients`` threads repeat ``step`` for ``seconds`` (wall), each on its own
    keep-alive connection; every request is timed.

    Flat out by default (each client starts its next step when the last one ends). With
    ``per_s``, the clients together start that many steps a second, staggered, as phones
    at a given rate of reports would; a step that overruns its slot is followed at once."""
    load = Load()
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    interval = clients / per_s if per_s else 0.0

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        due = time.monotonic() + interval * index / clients
        mine: dict[str, list[float]] = {}
        errors = []

        def timed(kind, method, path, body=None, headers=None):
            started = time.perf_counter()
            status, answer = request(port, method, path, body, headers, connection=conn)
            mine.setdefault(kind, []).append(time.perf_counter() - started)
            if not 200 <= status < 300:
                errors.append((kind, status, answer))
            return status, answer

        while time.monotonic() < stop:
            if interval:
                time.sleep(max(0.0, due - time.monotonic()))
                due += interval
            step(conn, timed)
        conn.close()
        with lock:
            for kind, found in mine.items():
                load.latencies.setdefault(kind, []).extend(found)
            load.errors.extend(errors)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - started
    return load
