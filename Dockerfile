# GridGov production image: gunicorn (web), celery worker and celery beat all run from it.
# Static files and compiled translations are baked in; configuration comes from the
# environment at run time (see .env.example and docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=gridgov.settings \
    WEB_CONCURRENCY=3

WORKDIR /app

RUN groupadd --system --gid 10001 gridgov \
    && useradd --system --uid 10001 --gid gridgov --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin gridgov

# Dependencies first, so code changes reuse this layer. All wheels: no compiler needed.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .

# Build-time only: a dummy key and an in-memory database let settings load; the real
# SECRET_KEY and DATABASE_URL come from the environment when a container starts.
RUN export SECRET_KEY=build-time-only-dummy-secret-key-never-used-at-run-time-7f3a9c1e5b \
        DATABASE_URL=sqlite:///:memory: DATA_DIR=/tmp/build-data \
    && python manage.py collectstatic --noinput --verbosity 0 \
    && python manage.py compile_translations \
    && rm -rf /tmp/build-data \
    && mkdir -p /data/media \
    && chown -R gridgov:gridgov /data

USER gridgov
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \
    CMD ["python", "scripts/healthcheck.py", "web"]

# Workers: WEB_CONCURRENCY processes (gunicorn reads it) of 2 threads each: gthread keeps
# phones' connections alive, and more processes than threads served writes faster in the
# tickets_api bench (docs/scaling.md). GUNICORN_CMD_ARGS adds settings not named here (it
# cannot change these: gunicorn's command line wins); TLS ends at the balancer. Idle
# connections are kept 95 s, longer than balancers keep theirs (60-90 s), so the balancer
# closes them: when gunicorn did (its default is 2 s), a request sent on a connection being
# closed was lost.
CMD ["gunicorn", "gridgov.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", \
     "--worker-class", "gthread", "--threads", "2", "--keep-alive", "95", \
     "--max-requests", "2000", "--max-requests-jitter", "200", "--no-control-socket"]
