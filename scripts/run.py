"""`make run`: prepare the embedded setup, then run the web server and a Celery worker.

Preparation happens in this process (one Django start-up instead of one per step) and is
cached so that a second start with nothing changed takes seconds:

- the filesystem:// broker folders are created;
- migrations run only when some are unapplied;
- translations compile only where a .po is newer than its .mo (compile_translations);
- the demo city is loaded once (seed_demo, idempotent; re-run when its code changes or the
  demo users are gone from the database);
- collectstatic runs only when the set of static files (names, sizes, mtimes) changed.

Then gunicorn and ``celery worker -B`` start, each in its own process group. SIGINT, SIGTERM
and SIGHUP stop both (SIGTERM to the whole group, SIGKILL after a grace period); if one
of them dies on its own, the other is stopped and this script exits non-zero.

Environment: PORT (default 8000); DEBUG defaults to 1 unless set in the environment or in
.env; DATABASE_URL, REDIS_URL, CELERY_BROKER_URL and the rest are read by gridgov/settings.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEMO_USERS = (
    ("admin", "superuser: Django admin and every page"),
    ("street1", "street office command centre"),
    ("supervisor1", "supervisor"),
    ("worker1", "grid worker"),
    ("worker2", "grid worker"),
    ("dept1", "department handler (urban management)"),
    ("finance1", "finance officer"),
)
DEFAULT_DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the public demo password
STOP_GRACE_SECONDS = 15.0
READY_TIMEOUT_SECONDS = 90.0


def log(message: str) -> None:
    print(f"[run] {message}", flush=True)


class SetupError(Exception):
    """A problem the user can fix; reported without a traceback."""


# --------------------------------------------------------------------------- environment


def dotenv_keys(path: Path) -> set[str]:
    """Names defined in a .env file (the settings read it too)."""
    if not path.is_file():
        return set()
    keys = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip().removeprefix("export ").strip()
        if line and not line.startswith("#") and "=" in line:
            keys.add(line.split("=", 1)[0].strip())
    return keys


def configure_environment(environ: dict[str, str] | os._Environ, base_dir: Path) -> None:
    """DEBUG=1 unless the user chose (in the environment or .env); settings module; logs."""
    if "DEBUG" not in environ and "DEBUG" not in dotenv_keys(base_dir / ".env"):
        environ["DEBUG"] = "1"
    environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    environ.setdefault("PYTHONUNBUFFERED", "1")


def read_port(environ) -> int:
    raw = environ.get("PORT", "8000").strip() or "8000"
    try:
        port = int(raw)
    except ValueError:
        raise SetupError(f"PORT must be a number, not {raw!r}") from None
    if not 0 < port < 65536:
        raise SetupError(f"PORT must be between 1 and 65535, not {port}")
    return port


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def fingerprint(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def write_stamp(folder: Path, kind: str, value: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{kind}-*"):
        old.unlink(missing_ok=True)
    (folder / f"{kind}-{value}").touch()


# --------------------------------------------------------------------------- preparation


def prepare() -> dict[str, object]:
    """Migrate, compile translations, seed, collect static files. Returns facts to print."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    from gridgov.env import require_secret_key

    try:
        django.setup()
        require_secret_key()
    except ImproperlyConfigured as exc:
        raise SetupError(f"configuration error: {exc}") from None

    from django.conf import settings
    from django.core.management import CommandError, call_command
    from django.db import connections

    stamps = Path(settings.DATA_DIR) / ".stamps"
    try:
        ensure_broker_folders(settings)
        migrate_if_needed()
        call_command("compile_translations", verbosity=1)
        seeded = seed_if_needed(settings, stamps)
        collectstatic_if_needed(settings, stamps)
    except CommandError as exc:
        raise SetupError(str(exc)) from None
    finally:
        connections.close_all()
    return {
        "debug": settings.DEBUG,
        "seeded": seeded,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "broker": settings.CELERY_BROKER_URL.split("://", 1)[0],
        "data_dir": Path(settings.DATA_DIR),
    }


def ensure_broker_folders(settings) -> None:
    if not settings.CELERY_BROKER_URL.startswith("filesystem"):
        return
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


def migrate_if_needed() -> None:
    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # connection refused, bad credentials, ...
        raise SetupError(f"cannot reach the database: {exc}") from None
    if plan:
        log(f"applying {len(plan)} migration(s)")
        call_command("migrate", interactive=False, verbosity=1)
    else:
        log("database schema is up to date")


def seed_sources(command_module: str) -> list[Path]:
    """The files whose change should re-run seed_demo: the command and every app's demo code."""
    import importlib.util

    from django.apps import apps

    sources = []
    spec = importlib.util.find_spec(command_module)
    if spec is not None and spec.origin:
        sources.append(Path(spec.origin))
    for config in apps.get_app_configs():
        app_dir = Path(config.path)
        if app_dir.resolve().parent != BASE_DIR:
            continue
        sources.extend(app_dir.glob("demo*.py"))
        sources.extend(
            p for p in (app_dir / "demo").rglob("*") if p.is_file() and p.suffix != ".pyc"
        )
    return sorted(set(sources))


def seed_if_needed(settings, stamps: Path) -> bool:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command, get_commands

    app = get_commands().get("seed_demo")
    if app is None:
        raise SetupError(
            "the seed_demo management command is missing, so the demo city cannot be "
            "loaded (manage.py seed_demo)"
        )
    if not settings.DEBUG:
        log("DEBUG is off: not loading the demo city (run manage.py seed_demo --force to do it)")
        return False

    database = settings.DATABASES["default"]
    sources = seed_sources(f"{app}.management.commands.seed_demo")
    key = fingerprint(
        database.get("ENGINE"),
        str(database.get("NAME")),
        database.get("HOST"),
        database.get("PORT"),
        os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD),
        [(str(p), hashlib.sha256(p.read_bytes()).hexdigest()) for p in sources],
    )
    names = [name for name, _ in DEMO_USERS]
    present = get_user_model()._default_manager.filter(username__in=names).count()
    if (stamps / f"seed-{key}").exists() and present == len(names):
        log("demo city already loaded")
        return True
    log("loading the demo city (seed_demo)")
    call_command("seed_demo")
    write_stamp(stamps, "seed", key)
    return True


def static_fingerprint(settings) -> str:
    from django.contrib.staticfiles.finders import get_finders

    entries = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append((path, stat.st_size, stat.st_mtime_ns))
    entries.sort()
    return fingerprint(
        settings.STORAGES["staticfiles"]["BACKEND"], str(settings.STATIC_ROOT), entries
    )


def collectstatic_if_needed(settings, stamps: Path) -> None:
    from django.core.management import call_command

    key = static_fingerprint(settings)
    if (stamps / f"collectstatic-{key}").exists() and Path(settings.STATIC_ROOT).is_dir():
        log("static files are up to date")
        return
    log("collecting static files")
    call_command("collectstatic", interactive=False, verbosity=0)
    write_stamp(stamps, "collectstatic", key)


# --------------------------------------------------------------------------- supervision


def _load_prctl():
    """libc's prctl on Linux, looked up before any fork (nothing is imported in the child)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the supervisor itself is killed."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    command: Sequence[str]
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - argv built from constants
            list(self.command),
            cwd=BASE_DIR,
            start_new_session=True,  # own process group: we signal it, the terminal doesn't
            preexec_fn=_die_with_parent,  # one C call, safe after fork
        )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signum)

    def group_alive(self) -> bool:
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class Supervisor:
    """Start children, wait, and stop them all on a signal or when one of them dies."""

    def __init__(self, children: Sequence[Child], *, grace: float = STOP_GRACE_SECONDS):
        self.children = list(children)
        self.grace = grace
        self.stop_requested: int | None = None
        self.signals_seen = 0

    def _on_signal(self, signum, frame) -> None:
        self.signals_seen += 1
        self.stop_requested = signum
        if self.signals_seen > 1:  # impatient second Ctrl-C: no more grace
            for child in self.children:
                if child.process is not None:
                    child.signal_group(signal.SIGKILL)

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def run(
        self,
        *,
        ready: Callable[[], bool] | None = None,
        on_ready: Callable[[], None] | None = None,
        ready_timeout: float = READY_TIMEOUT_SECONDS,
    ) -> int:
        self.install_signal_handlers()
        exit_code = 0
        try:
            for child in self.children:
                if self.stop_requested is None:
                    child.start()
                    log(f"started {child.name} (pid {child.pid})")
            announced = ready is None
            started_at = time.monotonic()
            while self.stop_requested is None:
                dead = [c for c in self.children if c.process and c.process.poll() is not None]
                if dead:
                    for child in dead:
                        log(
                            f"{child.name} exited unexpectedly with code "
                            f"{child.process.returncode}; stopping the others"
                        )
                    exit_code = 1
                    break
                if not announced:
                    if ready():
                        announced = True
                        if on_ready:
                            on_ready()
                    elif time.monotonic() - started_at > ready_timeout:
                        announced = True
                        log(f"still not answering after {ready_timeout:.0f} s; keeping it running")
                time.sleep(0.2)
        finally:
            self.stop_all()
        if self.stop_requested is not None and exit_code == 0:
            log(f"stopped ({signal.Signals(self.stop_requested).name})")
        return exit_code

    def stop_all(self) -> None:
        started = [c for c in self.children if c.process is not None]
        for child in started:
            child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        while time.monotonic() < deadline:
            if not any(c.process.poll() is None or c.group_alive() for c in started):
                break
            time.sleep(0.1)
        for child in started:
            if child.process.poll() is None or child.group_alive():
                log(f"{child.name} did not stop in {self.grace:.0f} s; killing it")
                child.signal_group(signal.SIGKILL)
            try:
                child.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                log(f"{child.name} (pid {child.pid}) would not die")


def http_ready(port: int) -> Callable[[], bool]:
    """True once a gunicorn worker answers /healthz (any HTTP status counts)."""
    import urllib.error
    import urllib.request

    def probe() -> bool:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=10):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    return probe


def banner(port: int, facts: dict[str, object]) -> Callable[[], None]:
    def show() -> None:
        url = f"http://{HOST}:{port}/"
        lines = [
            "",
            "=" * 72,
            f"  GridGov is running at {url}",
            f"  admin: {url}admin/   API docs: {url}api/docs/   health: {url}healthz",
            f"  database: {facts['database']}   broker: {facts['broker']}   "
            f"DEBUG: {'on' if facts['debug'] else 'off'}",
        ]
        if facts["seeded"]:
            password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
            lines.append(f"  demo logins (password: {password}):")
            lines.extend(f"    {name:<12} {role}" for name, role in DEMO_USERS)
        lines += ["  Press Ctrl-C to stop.", "=" * 72, ""]
        print("\n".join(lines), flush=True)

    return show


def children_for(port: int, data_dir: Path) -> list[Child]:
    python = sys.executable
    web = [
        python, "-m", "gunicorn", "gridgov.wsgi",
        "--bind", f"{HOST}:{port}",
        "--workers", os.environ.get("WEB_CONCURRENCY", "2"),
        # As the production image: a quick request is not queued behind a slow one (a
        # sign-in's password hash) in the same worker.
        "--worker-class", "gthread", "--threads", "2",
        # A phone reuses its connection between requests seconds apart; gunicorn's 2 s
        # default closed some just as a request went out on them (lost, not retried).
        "--keep-alive", "95",
        "--preload",  # import Django once, then fork: the workers start at once
        "--graceful-timeout", "5",
        "--no-control-socket",
        "--access-logfile", "-",
    ]  # fmt: skip
    worker = [
        python, "-m", "celery", "-A", "gridgov", "worker",
        "-B", "--pool=solo", "--concurrency=1", "-l", "info",
        "--schedule", str(data_dir / "celery" / "beat-schedule"),
    ]  # fmt: skip
    return [Child("web", web), Child("worker", worker)]


def main() -> int:
    os.chdir(BASE_DIR)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    started = time.monotonic()
    try:
        configure_environment(os.environ, BASE_DIR)
        port = read_port(os.environ)
        if not port_is_free(HOST, port):
            raise SetupError(
                f"port {port} on {HOST} is already in use; stop whatever is using it or "
                f"choose another port: PORT={port + 1} make run"
            )
        facts = prepare()
    except SetupError as exc:
        log(f"cannot start: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    log(f"ready to start in {time.monotonic() - started:.1f} s")
    (Path(facts["data_dir"]) / "celery").mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(children_for(port, Path(facts["data_dir"])))
    return supervisor.run(ready=http_ready(port), on_ready=banner(port, facts))


if __name__ == "__main__":
    sys.exit(main())
