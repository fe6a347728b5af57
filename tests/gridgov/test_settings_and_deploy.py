"""Settings read from the environment, and the deployment files that feed them.

Each check runs Django in a subprocess with an environment built here from scratch (the
developer's shell, pytest-env and a local .env cannot leak in), so it sees exactly what a
production container would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = BASE_DIR / ".env.example"
SETTINGS = BASE_DIR / "gridgov" / "settings.py"
COMPOSE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
README = BASE_DIR / "README.md"

# Variables the settings read: env.str("NAME", ...), env.strict_bool("NAME", ...), ...
SETTINGS_VARIABLES = sorted(
    set(re.findall(r'\benv\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS.read_text()))
)
# Read by other code than settings.py, documented in .env.example all the same.
OTHER_VARIABLES = ["PORT", "DEMO_PASSWORD"]
PRINT_SETTINGS = "from django.conf import settings; print(settings.{})"


def parse_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (comments and blank lines skipped), as docker compose reads them."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def commented_out_names(path: Path) -> set[str]:
    return set(re.findall(r"^#\s*([A-Z][A-Z0-9_]*)=", path.read_text(), flags=re.MULTILINE))


def dotenv_names() -> set[str]:
    dotenv = BASE_DIR / ".env"
    return set(parse_env_file(dotenv)) if dotenv.is_file() else set()


def production_env(**overrides: str | None) -> dict[str, str]:
    """The process environment with the .env.example configuration and ``overrides``.

    Every variable the settings read is set explicitly, so nothing comes from the
    caller's environment; ``None`` removes a variable.
    """
    managed = {*SETTINGS_VARIABLES, *OTHER_VARIABLES}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in managed and not key.endswith("_FILE") and not key.startswith("DJANGO_")
    }
    env.update(parse_env_file(ENV_EXAMPLE))
    env.update(DJANGO_SETTINGS_MODULE="gridgov.settings", PYTHONDONTWRITEBYTECODE="1")
    for key, value in overrides.items():
        if value is not None:
            env[key] = value
        elif key in dotenv_names():
            env[key] = ""  # a local .env only fills in what is unset; empty reads as unset
        else:
            env.pop(key, None)
    return env


def django(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def python_code(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return django("-c", code, env=env)


# --------------------------------------------------------------------------- the settings


def test_env_example_passes_the_deployment_checks():
    result = django(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "foo://x"),
        ("IDEMPOTENCY_TTL_HOURS", "abc"),
        ("IDEMPOTENCY_TTL_HOURS", "1"),
        ("CELERY_BROKER_URL", "bogus://localhost//"),
        ("CELERY_BROKER_URL", ""),
        ("SECURE_SSL_REDIRECT", "si"),
        ("EMAIL_PORT", "25/tcp"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(name, value):
    result = python_code(PRINT_SETTINGS.format("DEBUG"), production_env(**{name: value}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert name in last_line, last_line


def test_secret_key_can_come_from_a_file(tmp_path):
    key = "file-secret-" + "k3y" * 20
    secret = tmp_path / "secret_key"
    secret.write_text(key + "\n")
    env = production_env(SECRET_KEY=None, SECRET_KEY_FILE=str(secret))
    result = python_code(PRINT_SETTINGS.format("SECRET_KEY"), env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key


def test_without_a_secret_key_the_web_refuses_to_start_naming_it():
    env = production_env(SECRET_KEY=None, DEBUG="0")
    result = python_code("import gridgov.wsgi", env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr.strip().splitlines()[-1]


def test_a_web_worker_has_every_view_loaded_before_its_first_request(tmp_path):
    # Loading the URLconf imports every app's views (over a second here); a worker that
    # left it to its first request would make that phone wait.
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    result = python_code(
        "import sys, gridgov.wsgi\n"
        "from django.urls import get_resolver\n"
        "loaded = set(sys.modules)\n"
        "get_resolver().resolve('/api/v1/tickets/')\n"
        "print(sorted(set(sys.modules) - loaded))\n"
        "print('incidents.api.tickets' in loaded)",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["[]", "True"]


def test_without_a_secret_key_commands_that_need_none_still_run(tmp_path):
    env = production_env(SECRET_KEY=None, DEBUG="0", DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    result = django("manage.py", "makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    signing = python_code(
        "import django; django.setup(); from django.core import signing; signing.dumps(1)", env
    )
    assert signing.returncode != 0
    assert "SECRET_KEY" in signing.stderr.strip().splitlines()[-1]


def test_debug_on_needs_no_secret_key(tmp_path):
    env = production_env(SECRET_KEY=None, DEBUG="1", DATA_DIR=str(tmp_path))
    result = python_code(PRINT_SETTINGS.format("SECRET_KEY"), env)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) >= 50


# --------------------------------------------------------------------------- .env.example


def test_env_example_documents_every_variable_the_settings_read():
    documented = set(parse_env_file(ENV_EXAMPLE)) | commented_out_names(ENV_EXAMPLE)
    missing = sorted((set(SETTINGS_VARIABLES) | set(OTHER_VARIABLES)) - documented)
    assert not missing, f".env.example lacks {missing}"
    assert len(SETTINGS_VARIABLES) >= 25, SETTINGS_VARIABLES  # the regex still finds them


def test_every_variable_in_env_example_has_a_comment():
    lines = ENV_EXAMPLE.read_text().splitlines()
    for number, line in enumerate(lines):
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if not match:
            continue
        above = lines[number - 1] if number else ""
        # a comment line above, or part of a group of settings under one comment
        assert above.startswith("#") or re.match(r"^[A-Z]", above), (
            f"{match.group(1)} in .env.example has no comment"
        )


def test_env_example_secret_key_is_an_obvious_placeholder_that_passes_the_check():
    key = parse_env_file(ENV_EXAMPLE)["SECRET_KEY"]
    assert "CHANGE-ME" in key
    assert len(key) >= 50 and len(set(key)) >= 5
    assert not key.startswith("django-insecure")


def test_readme_explains_every_variable_of_env_example():
    readme = README.read_text()
    names = set(parse_env_file(ENV_EXAMPLE)) | commented_out_names(ENV_EXAMPLE)
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"README.md does not explain {missing}"


# --------------------------------------------------------------------------- docker


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_describes_the_production_services(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    for name in ("postgres", "redis", "web", "worker", "beat"):
        test = services[name]["healthcheck"]["test"]
        assert test and test[0] in ("CMD", "CMD-SHELL"), name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    assert services["redis"]["command"][:3] == ["redis-server", "--appendonly", "yes"]
    assert "scripts/healthcheck.py" in services["web"]["healthcheck"]["test"]
    assert '"/healthz"' in (BASE_DIR / "scripts" / "healthcheck.py").read_text()
    assert set(compose["volumes"]) >= {"pgdata", "redisdata"}
    assert services["postgres"]["volumes"][0].startswith("pgdata:")
    assert services["redis"]["volumes"][0].startswith("redisdata:")


def test_compose_app_services_wait_for_migrations_and_read_dotenv(compose):
    services = compose["services"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["env_file"] == ".env", name
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["worker"]["command"][:4] == ["celery", "-A", "gridgov", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "gridgov", "beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    beats = [s for s in services.values() if " beat" in " ".join(s.get("command") or [])]
    assert len(beats) == 1


def compose_cli() -> list[str] | None:
    """`docker compose` (the plugin), else the older docker-compose, else None."""
    docker = shutil.which("docker")
    if docker:
        probe = [docker, "compose", "version"]
        if subprocess.run(probe, capture_output=True, check=False).returncode == 0:  # noqa: S603
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_config_accepts_the_file(tmp_path):
    cli = compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")
    result = subprocess.run(  # noqa: S603 - the docker CLI found above
        [*cli, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_builds_a_slim_non_root_image_with_static_files():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim", text, flags=re.MULTILINE)
    assert "requirements/base.txt" in text
    assert re.search(r"SECRET_KEY=\S{50,}", text), "collectstatic needs a build-time key"
    assert "collectstatic" in text and "compile_translations" in text
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".venv" in ignored and ".git" in ignored
