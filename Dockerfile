# syntax=docker/dockerfile:1
# One image for web (gunicorn), worker and beat; docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders through Pango/HarfBuzz and needs at least one font.
# shared-mime-info and libmagic1 are small and give MIME detection its databases.
# `manage.py backup` and `restore` need pg_dump and pg_restore of the server's
# major version (PostgreSQL 16 in docker-compose.yml), from the PostgreSQL project's
# own Debian repository: Debian 12 carries only version 15.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc]" \
        "https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends \
        postgresql-client-16 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        shared-mime-info \
        libmagic1 \
    && rm -rf /var/lib/apt/lists/*

# A real home directory: gunicorn puts its control socket under $HOME.
RUN groupadd --gid 1000 portal \
    && useradd --uid 1000 --gid portal --create-home --shell /usr/sbin/nologin portal

WORKDIR /app

# Requirements before the code, so code changes reuse the dependency layer.
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt

# The code stays root-owned: the app user can read it but not rewrite it.
COPY . .

# Base settings need no secrets (production settings refuse to load without them).
# var/media, var/quarantine and var/backups are created here, owned by the app user, so a
# fresh named volume mounted over either inherits that ownership.
RUN DJANGO_SETTINGS_MODULE=csap_portal.settings.base \
        python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p var/media var/quarantine var/backups \
    && chown portal:portal var/media var/quarantine var/backups \
    && chmod 700 var/backups \
    && chmod 700 var/quarantine

USER portal

EXPOSE 8000

# /dev/shm for the worker heartbeat: on overlayfs it can stall workers.
CMD ["gunicorn", "csap_portal.wsgi:application", \
     "--workers", "3", \
     "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", \
     "--worker-tmp-dir", "/dev/shm"]
