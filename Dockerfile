# The partnership bot as a container image, for Azure App Service (custom container) or Azure
# Container Apps. See docs/deploy.md.
#   docker build -t partnership-bot .
#   docker run --env-file .env -p 3978:3978 partnership-bot

# The desk (the Teams tab) is built in its own stage from its committed lockfile; only its built
# files reach the final image, which has no Node.js.
FROM node:20.20-slim AS desk
WORKDIR /desk
COPY desk/package.json desk/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY desk/ ./
RUN npm run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP_ENV=production \
    HOST=0.0.0.0

WORKDIR /app

RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin bot

COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# The code belongs to root and is read-only for the bot; only data/ (the SQLite default, for a
# single-instance trial) is writable. Production uses PostgreSQL through DATABASE_URL.
COPY . .
COPY --from=desk /desk/dist /app/desk/dist
RUN mkdir -p /app/data && chown bot:bot /app/data

USER bot

EXPOSE 3978

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${PORT:-3978}/healthz', timeout=4)" || exit 1

CMD ["/bin/sh", "/app/scripts/docker-entrypoint.sh"]
