"""Settings of the worker subprocesses of the fault tests: the project's own, read from the
environment the test gives (DATABASE_URL of the test database, the private Redis), with
mail written where the test can count it."""

from gridgov.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.faults.mail.JsonLinesBackend"
