# One image for every minimail service; docker-compose picks the services with --services.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds a native addon.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json turbo.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
COPY examples ./examples
# `npm ci` builds every workspace through the root `prepare` script (ADR 0014).
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# All interfaces in every profile: in a container, 127.0.0.1 (the dev profile's own default) would
# be unreachable through published ports, so `-e MINIMAIL_PROFILE=dev` alone gives the dev mode.
ENV NODE_ENV=production \
    MINIMAIL_PROFILE=production \
    MINIMAIL_BIND=0.0.0.0 \
    MINIMAIL_DATA_DIR=/data \
    TURBO_TELEMETRY_DISABLED=1
COPY --from=build /app /app
# Run unprivileged: the store needs only its data dir. A new named volume copies this directory's
# owner, so /data is writable by `node`. Ports below 1024 need no root: Docker sets
# net.ipv4.ip_unprivileged_port_start=0 in containers (docker-compose.yml sets it explicitly).
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 25 465 587 110 995 143 993 8025
ENTRYPOINT ["node", "apps/mailserver/bin/minimail.js"]
CMD ["serve"]
