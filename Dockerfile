FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      fontconfig fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 graphviz curl \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 gongkai
WORKDIR /srv/gongkai
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY workflows ./workflows
COPY templates ./templates
COPY scripts/run-server ./scripts/run-server
# Editable install: the app finds migrations/, workflows/ and templates/ beside its package.
RUN pip install --no-cache-dir -e .
RUN python -m app.cli build-letter-fonts
RUN mkdir -p /srv/gongkai/var && chown -R gongkai /srv/gongkai/var

USER gongkai
ENV GONGKAI_STORAGE_DIR=/srv/gongkai/var/storage \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD curl -fsS http://127.0.0.1:8000/readyz || exit 1
# The outbox worker is a second process from the same image (notices, e-mail, SMS, webhooks,
# letter PDFs): run it as its own container beside this one, e.g.
#   docker run ... gongkai python -m app.cli worker
# Several worker containers share the work on PostgreSQL; on SQLite run exactly one.
# Behind a proxy, set GONGKAI_TRUSTED_PROXIES to its address (README: behind a proxy).
CMD ["sh", "-c", "python -m app.cli migrate && HOST=0.0.0.0 PORT=8000 UVICORN=uvicorn exec scripts/run-server"]
