"""Create .venv and install a pinned requirements file into it, once per version of that file.

    python3 scripts/bootstrap.py requirements/base.txt [--venv .venv]

A stamp file ``<venv>/.installed-<hash of the requirements file>`` records a finished
install, so a second run with an unchanged file returns at once. Installs go through uv
(installed into the venv with pip) and fall back to plain pip if uv cannot be had or fails;
GRIDGOV_INSTALLER=pip forces pip. Runs on the system Python, so it needs nothing but the
standard library.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

MINIMUM_PYTHON = (3, 11)


def say(message: str) -> None:
    print(f"[bootstrap] {message}", flush=True)


def venv_python(venv_dir: Path) -> Path:
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def requirements_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def stamp_path(venv_dir: Path, requirements: Path) -> Path:
    return venv_dir / f".installed-{requirements_hash(requirements)}"


def python_works(python: Path) -> bool:
    if not python.exists():
        return False
    check = "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)"
    return subprocess.run([str(python), "-c", check], check=False).returncode == 0  # noqa: S603


def ensure_venv(venv_dir: Path) -> Path:
    python = venv_python(venv_dir)
    if python_works(python):
        return python
    if venv_dir.exists():
        say(f"{venv_dir} is unusable (missing or too old a Python): recreating it")
        shutil.rmtree(venv_dir)
    say(f"creating {venv_dir} with {sys.executable}")
    if not run([sys.executable, "-m", "venv", str(venv_dir)]) or not python_works(python):
        shutil.rmtree(venv_dir, ignore_errors=True)
        sys.exit(
            f"[bootstrap] could not create {venv_dir} with {sys.executable} -m venv.\n"
            "On Debian/Ubuntu install the venv module first: apt-get install python3-venv"
        )
    return python


def run(command: list[str]) -> bool:
    return subprocess.run(command, check=False).returncode == 0  # noqa: S603 - our own argv


def install_with_uv(python: Path, requirements: Path) -> bool:
    uv = [str(python), "-m", "uv"]
    if not run([*uv, "--version"]) and not run(
        [str(python), "-m", "pip", "install", "--quiet", "uv"]
    ):
        say("could not install uv with pip")
        return False
    return run([*uv, "pip", "install", "--python", str(python), "-r", str(requirements)])


def install_with_pip(python: Path, requirements: Path) -> bool:
    return run([str(python), "-m", "pip", "install", "-r", str(requirements)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("requirements", type=Path)
    parser.add_argument("--venv", type=Path, default=Path(".venv"))
    args = parser.parse_args(argv)

    if sys.version_info < MINIMUM_PYTHON:
        wanted = ".".join(map(str, MINIMUM_PYTHON))
        say(f"Python {wanted} or newer is needed; {sys.executable} is {sys.version.split()[0]}")
        say("run make with PYTHON=/path/to/python3.11 (or newer)")
        return 1
    if not args.requirements.is_file():
        say(f"no such requirements file: {args.requirements}")
        return 1

    python = ensure_venv(args.venv)
    stamp = stamp_path(args.venv, args.requirements)
    if stamp.exists():
        return 0

    say(f"installing {args.requirements} into {args.venv}")
    installed = False
    if os.environ.get("GRIDGOV_INSTALLER", "uv") != "pip":
        installed = install_with_uv(python, args.requirements)
        if not installed:
            say("uv failed; falling back to pip")
    if not installed:
        installed = install_with_pip(python, args.requirements)
    if not installed:
        say(f"installing {args.requirements} failed")
        return 1
    stamp.write_text(f"{args.requirements}\n")
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
