"""Settings of the web server the ticket API bench starts: the project's settings with the
bench URLconf (the project's routes plus a reference view), plain HTTP on 127.0.0.1 and a
write throttle high enough for eight clients under one user. Bench only: nothing in the
project imports this module."""

from gridgov.settings import *  # noqa: F403
from gridgov.settings import REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "write": "1000000/min",
    },
}
