# One image for every minimail service; docker-compose picks the services with --services.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds a native addon.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json turbo.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
RUN npm ci && npx turbo run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    MINIMAIL_PROFILE=production \
    MINIMAIL_DATA_DIR=/data \
    TURBO_TELEMETRY_DISABLED=1
COPY --from=build /app /app
VOLUME ["/data"]
EXPOSE 25 465 587 110 995 143 993 8025
ENTRYPOINT ["node", "apps/mailserver/bin/minimail.js"]
CMD ["serve"]
