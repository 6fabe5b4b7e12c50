# syntax=docker/dockerfile:1
# Sibina: one image that migrates the database and runs the product (admin panel, chat
# channels and notification workers) as plain JavaScript built with tsc (npm run build).
# Build: docker compose build (or docker build .).

ARG NODE_VERSION=24

# ---- deps: production dependencies and the generated Prisma client ----------------------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
ENV CI=1 \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false
# The npm that the lock file and package.json's allowScripts were made with.
RUN npm install -g npm@11.19.1
# Only what `npm ci` and its postinstall (prisma generate, see scripts/postinstall.mjs) read,
# so this layer is rebuilt only when dependencies or the schema change.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/postinstall.mjs scripts/
COPY prisma/schema.prisma prisma/
COPY prisma/tools/schema-engine-stub prisma/tools/
RUN npm ci --omit=dev \
 && test -f core/db/generated/client.ts

# ---- build: TypeScript to dist/ (needs the dev dependencies, which stay in this stage) -------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
ENV CI=1 NPM_CONFIG_AUDIT=false NPM_CONFIG_FUND=false NPM_CONFIG_UPDATE_NOTIFIER=false
RUN npm install -g npm@11.19.1
COPY . .
RUN npm ci && npm run build

# ---- runtime --------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    STORAGE_DIR=/data/storage \
    NPM_CONFIG_UPDATE_NOTIFIER=false
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Uploaded files (attachments, documentation, modules) live on a volume.
RUN mkdir -p /data/storage && chown node:node /data/storage
VOLUME ["/data/storage"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Apply pending migrations (offline WebAssembly engine, recorded in _prisma_migrations), then start.
CMD ["sh", "-c", "node dist/prisma/tools/migrate.js && exec node dist/main.js"]
