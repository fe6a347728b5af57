"""The pieces of `make run` and `make test`: the process supervisor, the environment it
sets, the install stamps, and compile_translations."""

from __future__ import annotations

import gettext
import importlib.util
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parents[2]
SCRIPTS = BASE_DIR / "scripts"


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(f"gridgov_script_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


run = load_script("run")
bootstrap = load_script("bootstrap")


# --------------------------------------------------------------------------- the supervisor

# A child that starts a grandchild (as gunicorn and celery do), records both pids, then
# sleeps; with "exit" it exits 3 after a moment; with "stubborn" it ignores SIGTERM.
CHILD = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    pidfile, mode = sys.argv[1], sys.argv[2]
    if mode == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    with open(pidfile + ".tmp", "w") as f:
        f.write(f"{__import__('os').getpid()} {grandchild.pid}")
    __import__("os").replace(pidfile + ".tmp", pidfile)
    if mode == "exit":
        time.sleep(0.5)
        sys.exit(3)
    time.sleep(120)
    """
)

DRIVER = textwrap.dedent(
    """
    import importlib.util, sys
    spec = importlib.util.spec_from_file_location("run_script", {run_py!r})
    run = importlib.util.module_from_spec(spec)
    sys.modules["run_script"] = run
    spec.loader.exec_module(run)
    children = [
        run.Child(name, [sys.executable, "-c", {child!r}, pidfile, mode])
        for name, pidfile, mode in {children!r}
    ]
    sys.exit(run.Supervisor(children, grace={grace}).run())
    """
)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent to reap it is dead for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return True


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def start_supervisor(tmp_path: Path, modes: list[str], grace: float = 5.0):
    children = [
        (f"child{i}", str(tmp_path / f"child{i}.pid"), mode) for i, mode in enumerate(modes)
    ]
    driver = DRIVER.format(
        run_py=str(SCRIPTS / "run.py"), child=CHILD, children=children, grace=grace
    )
    process = subprocess.Popen(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", driver],
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    pidfiles = [Path(pidfile) for _, pidfile, _ in children]
    if not wait_until(lambda: all(p.exists() for p in pidfiles), timeout=20):
        process.kill()
        pytest.fail(f"children did not start: {process.communicate()[0]}")
    pids = [int(pid) for p in pidfiles for pid in p.read_text().split()]
    return process, pids


def finish(process: subprocess.Popen, timeout: float = 20.0) -> tuple[int, str]:
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_every_child_and_grandchild(tmp_path, signum):
    process, pids = start_supervisor(tmp_path, ["sleep", "sleep"])
    assert all(alive(pid) for pid in pids)
    process.send_signal(signum)
    code, output = finish(process)
    assert code == 0, output
    assert wait_until(lambda: not any(alive(pid) for pid in pids), timeout=5), output
    assert f"stopped ({signal.Signals(signum).name})" in output


def test_a_child_that_dies_stops_the_others_and_fails(tmp_path):
    process, pids = start_supervisor(tmp_path, ["sleep", "exit"])
    code, output = finish(process)
    assert code == 1
    assert "child1 exited unexpectedly with code 3" in output
    assert wait_until(lambda: not any(alive(pid) for pid in pids), timeout=5), output


def test_a_child_ignoring_sigterm_is_killed_after_the_grace_period(tmp_path):
    process, pids = start_supervisor(tmp_path, ["stubborn"], grace=1.0)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code, output = finish(process)
    assert code == 0, output
    assert "did not stop in 1 s; killing it" in output
    assert time.monotonic() - started < 10
    assert wait_until(lambda: not any(alive(pid) for pid in pids), timeout=5), output


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_children_die_with_a_killed_supervisor(tmp_path):
    process, pids = start_supervisor(tmp_path, ["sleep"])
    child = pids[0]
    process.kill()
    process.wait(timeout=10)
    try:
        assert wait_until(lambda: not alive(child), timeout=5)
    finally:
        for pid in pids:  # the grandchild is the child's own business: not ours to test
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.stdout.close()


# --------------------------------------------------------------------------- make run's set-up


def test_debug_defaults_on_unless_chosen(tmp_path):
    environ: dict[str, str] = {}
    run.configure_environment(environ, tmp_path)
    assert environ["DEBUG"] == "1"
    assert environ["DJANGO_SETTINGS_MODULE"] == "gridgov.settings"

    environ = {"DEBUG": "0"}
    run.configure_environment(environ, tmp_path)
    assert environ["DEBUG"] == "0"

    (tmp_path / ".env").write_text("# comment\nexport DEBUG=0\nSECRET_KEY=x\n")
    environ = {}
    run.configure_environment(environ, tmp_path)
    assert "DEBUG" not in environ  # the settings read it from .env


def test_port_comes_from_the_environment():
    assert run.read_port({}) == 8000
    assert run.read_port({"PORT": "8765"}) == 8765
    for bad in ("http", "0", "70000"):
        with pytest.raises(run.SetupError, match="PORT"):
            run.read_port({"PORT": bad})


def test_a_busy_port_is_detected():
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert not run.port_is_free("127.0.0.1", port)
    assert run.port_is_free("127.0.0.1", port)


def test_the_worker_runs_with_embedded_beat_and_the_web_on_localhost(tmp_path):
    web, worker = run.children_for(8123, tmp_path)
    assert web.command[1:4] == ["-m", "gunicorn", "gridgov.wsgi"]
    assert "127.0.0.1:8123" in web.command
    assert worker.command[1:6] == ["-m", "celery", "-A", "gridgov", "worker"]
    for flag in ("-B", "--pool=solo", "--concurrency=1"):
        assert flag in worker.command


def test_install_stamp_follows_the_requirements_content(tmp_path):
    requirements = tmp_path / "base.txt"
    requirements.write_text("django==5.2.1\n")
    first = bootstrap.stamp_path(tmp_path / ".venv", requirements)
    assert first.name.startswith(".installed-")
    assert bootstrap.stamp_path(tmp_path / ".venv", requirements) == first
    requirements.write_text("django==5.2.2\n")
    assert bootstrap.stamp_path(tmp_path / ".venv", requirements) != first


def test_bootstrap_is_a_no_op_once_stamped(tmp_path):
    """With a working venv and its stamp present, nothing is installed."""
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    requirements = tmp_path / "base.txt"
    requirements.write_text("no-such-package-for-gridgov==0\n")
    bootstrap.stamp_path(venv, requirements).touch()
    assert bootstrap.main([str(requirements), "--venv", str(venv)]) == 0


# --------------------------------------------------------------------------- translations

PO = textwrap.dedent(
    """\
    msgid ""
    msgstr ""
    "Content-Type: text/plain; charset=UTF-8\\n"
    "Language: zh_Hans\\n"
    "Plural-Forms: nplurals=1; plural=0;\\n"

    msgid "Grid"
    msgstr "网格"

    #, fuzzy
    msgid "Street"
    msgstr "街道"
    """
)


def read_catalogue(mo: Path) -> gettext.GNUTranslations:
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def test_compile_translations_builds_stale_catalogues_only(tmp_path, settings):
    messages = tmp_path / "zh_Hans" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po, mo = messages / "django.po", messages / "django.mo"
    po.write_text(PO, encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path]

    call_command("compile_translations", verbosity=0)
    catalogue = read_catalogue(mo)
    assert catalogue.gettext("Grid") == "网格"
    assert catalogue.gettext("Street") == "Street"  # fuzzy entries are left out, as msgfmt does

    compiled_at = mo.stat().st_mtime_ns
    call_command("compile_translations", verbosity=0)
    assert mo.stat().st_mtime_ns == compiled_at  # up to date: not rewritten

    po.write_text(PO.replace("网格", "网格单元"), encoding="utf-8")
    later = time.time() + 5
    os.utime(po, (later, later))
    call_command("compile_translations", verbosity=0)
    assert read_catalogue(mo).gettext("Grid") == "网格单元"
    assert not list(messages.glob("*.tmp"))
