# One image recipe for every app of the monorepo. Build context = repo root.
#
#   docker build --build-arg APP=auth-api              --build-arg PORT=3000 -t idp/auth-api .
#   docker build --build-arg APP=token-service         --build-arg PORT=3001 -t idp/token-service .
#   docker build --build-arg APP=introspection-service --build-arg PORT=3002 -t idp/introspection-service .
#   docker build --build-arg APP=session-service       --build-arg PORT=3003 -t idp/session-service .
#   docker build --build-arg APP=embedded              --build-arg PORT=3000 -t idp/embedded .
#
# APP is a folder under apps/; the image runs apps/$APP/dist/main.js. PORT only
# sets the image's default PORT, EXPOSE and the HEALTHCHECK target; compose and
# Kubernetes set PORT explicitly anyway. `docker build .` alone builds the
# embedded (all-in-one) image.
#
# Why one parameterised file instead of five: the five builds are identical
# except for the app name and port (every app has the same dependency closure:
# nest-kit + eventstore (pg, better-sqlite3) + bus (kafkajs) + cache (ioredis)),
# so five copies could only drift apart. Layers up to `npm ci` are shared by
# all five images.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- manifests: only the files `npm ci` reads, so the dependency layer below
# stays cached until a package.json / the lockfile changes (COPY with globs
# would flatten the workspace folders).
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN set -eu; mkdir -p /out; \
    cp package.json package-lock.json .npmrc /out/; \
    for f in packages/*/package.json apps/*/package.json; do \
      mkdir -p "/out/$(dirname "$f")"; cp "$f" "/out/$f"; \
    done

# --- build: full install (dev deps for tsc), compile the app and the packages
# it references, drop dev deps, then assemble the runtime tree in /out: root
# manifest + production node_modules and, for each workspace, its package.json,
# its own node_modules (if npm nested any) and its dist/ (only what
# `tsc -b apps/$APP` built). better-sqlite3 keeps its prebuilt Node-API
# binaries, not its sqlite and addon sources (~10 MB). Needs BuildKit (the
# default builder since Docker 23) for the npm cache mount.
FROM ${NODE_IMAGE} AS build
# Nothing is compiled: better-sqlite3 13 ships prebuilt Node-API binaries
# (linux-x64 needs glibc 2.34; bookworm has 2.36), so no toolchain is needed.
# The npm the repo pins in package.json "packageManager": it honours the
# root "allowScripts" list (only the `node` devDependency runs an install
# script: it fetches Node 24 for the npm scripts; `npm prune --omit=dev`
# drops it again).
ARG NPM_VERSION=11.19.1
RUN npm install -g "npm@${NPM_VERSION}" && npm --version
ENV npm_config_update_notifier=false
WORKDIR /app
COPY --from=manifests /out/ ./
# `npm ci` installs exactly package-lock.json. If it refuses the lockfile as
# out of sync (e.g. a lockfile written against a registry mirror that lacks
# other platforms' optional binaries of dev tools), fall back loudly to
# `npm install --no-save`, which keeps every locked version and only resolves
# the missing entries.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund \
 || { echo "WARNING: npm ci rejected package-lock.json; falling back to npm install --no-save" >&2; \
      npm install --no-save --no-audit --no-fund; }
COPY tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY apps ./apps
ARG APP=embedded
RUN set -eu; \
    test -f "apps/${APP}/src/main.ts" \
      || { echo "APP=${APP}: apps/${APP}/src/main.ts not found (APP must be a folder under apps/)" >&2; exit 1; }; \
    npx tsc -b "apps/${APP}"; \
    test -f "apps/${APP}/dist/main.js"; \
    npm prune --omit=dev --no-audit --no-fund; \
    rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src; \
    mkdir -p /out; \
    cp -a package.json node_modules /out/; \
    for d in packages/* apps/*; do \
      mkdir -p "/out/$d"; cp -a "$d/package.json" "/out/$d/"; \
      if [ -d "$d/node_modules" ]; then cp -a "$d/node_modules" "/out/$d/"; fi; \
      if [ -d "$d/dist" ]; then cp -a "$d/dist" "/out/$d/"; rm -f "/out/$d/dist/.tsbuildinfo"; fi; \
    done

# --- runtime: production deps + dist only, non-root.
FROM ${NODE_IMAGE} AS runtime
ARG APP=embedded
ARG PORT=3000
# The admin plane (/health, /metrics, /admin: ADR 0017) listens on its own port.
ARG ADMIN_PORT=9100
LABEL org.opencontainers.image.title="idp-${APP}" \
      org.opencontainers.image.description="Event-sourced OAuth 2.0 / OpenID Connect provider: ${APP}" \
      org.opencontainers.image.licenses="Apache-2.0"
# HOST: the apps bind 127.0.0.1 unless told otherwise. DATA_DIR: only the
# embedded mode uses it (SQLite + generated keys); mount a volume there.
# ADMIN_HOST: all interfaces inside the container so probes and scrapes reach
# it; publish only PORT (compose and deploy/k8s keep ADMIN_PORT internal).
# NO_COLOR: no colour codes (logs are JSON lines when stdout is not a TTY).
ENV NODE_ENV=production \
    APP=${APP} \
    PORT=${PORT} \
    HOST=0.0.0.0 \
    ADMIN_PORT=${ADMIN_PORT} \
    ADMIN_HOST=0.0.0.0 \
    DATA_DIR=/data \
    NO_COLOR=1
WORKDIR /app
COPY --from=build /out/ ./
# /data is owned by node so a fresh named volume mounted there is writable.
# The app tree itself stays root-owned (read-only for the app).
RUN mkdir -p /data && chown node:node /data \
 && test -f "apps/${APP}/dist/main.js"
USER node
EXPOSE ${PORT} ${ADMIN_PORT}
# Liveness only (the event loop answers); readiness is /health/ready.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.ADMIN_PORT+'/health/live',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# exec: node becomes PID 1 and receives SIGTERM itself (the apps enable
# NestJS shutdown hooks). A shell form is needed only to expand $APP.
CMD ["sh", "-c", "exec node \"apps/${APP}/dist/main.js\""]
