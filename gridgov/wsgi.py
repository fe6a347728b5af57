import os

from django.core.wsgi import get_wsgi_application
from django.urls import reverse

from gridgov.env import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
application = get_wsgi_application()
require_secret_key()
# Load the URLconf, and with it every view, serializer and filter, now rather than on a
# worker's first request (1.3-1.6 s of imports here): a preloaded master forks its workers
# warm, and a worker that loads the app itself does so before it accepts a connection.
reverse("healthz")
