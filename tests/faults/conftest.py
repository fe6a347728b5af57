"""Fixtures of the fault tests: a private Redis server that a test may kill -9 and start
again, the web process pointed at it (cache and Celery broker), and Celery workers run as
real subprocesses that a test may kill -9 too.

Nothing here touches the shared Redis of REDIS_URL: every test gets its own server on a
free port, in its own folder, without persistence (``--save '' --appendonly no``), so a
restart comes back empty, the worst case of a crash.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.faults.support import START_TIMEOUT, WORK_TIMEOUT, wait_until

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PROJECT_DIR = Path(django_settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """One redis-server process of this test, on a fixed port across restarts."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)

    def ping(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:  # refused, reset, still loading: not up yet
            return False

    def wait_idle(self, *, stranded: int = 0) -> None:
        """Wait until every published task has been taken and acknowledged, so that no
        late job can still write after a test's checks. ``stranded``: messages a killed
        worker took and never acknowledged (Redis holds them until the visibility timeout,
        an hour)."""
        client = self.client()

        def idle() -> bool:
            return client.llen("celery") == 0 and client.hlen("unacked") <= stranded

        # Twice, a moment apart: a message is briefly in neither list while a worker takes it.
        wait_until(
            lambda: idle() and not time.sleep(0.5) and idle(),
            timeout=WORK_TIMEOUT,
            what="the workers to finish every published task",
        )

    def start(self) -> None:
        """Start the server (on a new free port the first time, on the same port after a
        kill) and wait until it answers."""
        attempts = 1 if self.port else 5
        for _ in range(attempts):
            self.port = self.port or _free_port()
            command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
            with open(self.folder / f"redis-{self.port}.log", "ab") as log:
                self.process = subprocess.Popen(  # noqa: S603 - the redis-server binary
                    command, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder
                )
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and self.process.poll() is None:
                if self.ping():
                    return
                time.sleep(0.05)
            self._reap()
            if attempts > 1:
                self.port = 0  # another process took the port between probe and bind
        pytest.fail(f"redis-server did not start on port {self.port}; see {self.folder}")

    def kill(self) -> None:
        """kill -9: no shutdown, no save, every queued message gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self._reap()

    def _reap(self) -> None:
        if self.process is not None:
            try:
                self.process.wait(timeout=START_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test alone; ``kill()`` and ``start()`` it at will."""
    if not os.path.exists(REDIS_SERVER):
        pytest.skip("needs the redis-server binary (apt-get install redis-server)")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = PrivateRedis(folder)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def app_on_private_redis(private_redis, settings):
    """This process uses the private Redis the way a web process uses Redis in production:
    as its cache (the write throttle counts there) and as its Celery broker, with tasks
    really published (not run eagerly)."""
    from gridgov.celery import app

    cache_settings = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "gridgov.cache.RedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": f"faults-{uuid.uuid4().hex}",
        }
    }
    saved = {
        name: app.conf[name]
        for name in ("broker_url", "broker_transport_options", "task_always_eager")
    }
    _reset_producers(app)
    app.conf.update(
        broker_url=private_redis.url,
        broker_transport_options={"visibility_timeout": 3600},
        task_always_eager=False,
    )
    try:
        yield app
    finally:
        _reset_producers(app)
        app.conf.update(saved)
        # Back to the suite's cache before the server goes: the suite's own fixtures clear
        # the cache after this one.
        settings.CACHES = cache_settings


def _reset_producers(app) -> None:
    # The app keeps pools of broker connections made from the broker URL it saw first, and
    # kombu registers them globally per URL. Close and forget them all, so that the next
    # publish connects to the URL now configured; closing only the app's pool would leave a
    # closed pool in kombu's registry for the next test that publishes to that URL.
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


# Celery workers in subprocesses -----------------------------------------------------------


def database_url() -> str:
    """The URL of the test database this process uses, for a subprocess."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


class WorkerProcess:
    """A Celery worker (tests/faults/worker.py) in its own process group."""

    def __init__(self, process: subprocess.Popen, log: Path):
        self.process = process
        self.log = log

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """kill -9 the worker and anything it started, mid-task if it is in one."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=START_TIMEOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def start_worker(transactional_db, private_redis, tmp_path, mailbox):
    """Start Celery workers as subprocesses on the private Redis and the test database
    (committed data only: they see it through their own connections); every one still
    running is killed at teardown, before the database is emptied."""
    started: list[WorkerProcess] = []

    def start(**env: str) -> WorkerProcess:
        log = tmp_path / f"worker-{len(started) + 1}.log"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": private_redis.url,
            "CELERY_BROKER_URL": private_redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "FAULTS_MAILBOX": str(mailbox.path),
            **env,
        }
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.faults.worker"],
                cwd=PROJECT_DIR,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: kill -9 reaches its children too
            )
        worker = WorkerProcess(process, log)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.kill()


# Mail -------------------------------------------------------------------------------------


class Mailbox:
    """The mails sent by this process and by worker subprocesses (tests.faults.mail)."""

    def __init__(self, path: Path):
        self.path = path

    def messages(self) -> list[dict]:
        if not self.path.exists():
            return []
        lines = self.path.read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def count_by_recipient_and_subject(self) -> Counter:
        return Counter(
            (to, message["subject"]) for message in self.messages() for to in message["to"]
        )


@pytest.fixture
def mailbox(tmp_path, settings, monkeypatch):
    path = tmp_path / "mailbox.jsonl"
    monkeypatch.setenv("FAULTS_MAILBOX", str(path))
    settings.EMAIL_BACKEND = "tests.faults.mail.JsonLinesBackend"
    return Mailbox(path)
