# Production image: gunicorn for the web, the same image for Celery worker/beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango, and HarfBuzz-Subset to embed only the glyphs used; fonts come
# from the system, nothing is fetched at run time. pg_dump/pg_restore (15, as the
# compose database) serve backup_cabinet and restore_cabinet.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra \
       postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock .
# As `make setup`: the lock is complete, so no resolution (--no-deps), then checked whole.
RUN pip install --no-cache-dir --no-deps --require-hashes -r requirements.lock && pip check

COPY . .
RUN useradd --system --home /app cabinet && mkdir -p /data/media && chown cabinet /data/media
ENV MEDIA_ROOT=/data/media
# Collected with the production settings: debug off selects whitenoise's
# CompressedManifestStaticFilesStorage, whose manifest every page needs
# (collected with debug on, every page of the image answers 500). The secret
# key only satisfies the settings' check during the build; it is not kept.
RUN DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=localhost \
    DJANGO_SECRET_KEY="build-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
    python manage.py collectstatic --noinput

USER cabinet
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
