# syntax=docker/dockerfile:1
# printq images: one Dockerfile, one target per program (app, worker, operator). Build from the
# repository root, the context needs the lockfile:
#   docker build --target app -t printq/app:dev .
#   docker build --target worker -t printq/worker:dev .
#   docker build --target operator -t printq/operator:dev .
#   kind load docker-image --name printq printq/app:dev printq/worker:dev printq/operator:dev
# Image names and tags must match the cdk8s settings (images.<program>, default
# printq/<program>:dev). BuildKit builds only the stages the chosen target needs.
# Node 26 is the Active LTS line since 2026-10-28 (24 is in maintenance until 2028-04-30);
# override with --build-arg NODE_IMAGE=... to pin a digest or step back a line.
ARG NODE_IMAGE=node:26-alpine

# --- manifests: the lockfile and every workspace manifest, so `npm ci` sees the whole tree ---
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/crd/package.json packages/crd/
COPY app/package.json app/
COPY worker/package.json worker/
COPY operator/package.json operator/
COPY cdk8s/package.json cdk8s/
COPY cli/package.json cli/

# --- build: one full install and the shared packages, then one compile stage per program ---
FROM manifests AS build
RUN npm ci --no-audit --no-fund
COPY packages/shared/ packages/shared/
COPY packages/crd/ packages/crd/
RUN npm run build -w @printq/shared -w @printq/crd

FROM build AS app-build
COPY app/ app/
RUN npm run build -w @printq/app

FROM build AS worker-build
COPY worker/ worker/
RUN npm run build -w @printq/worker

FROM build AS operator-build
COPY operator/ operator/
RUN npm run build -w @printq/operator

# --- deps: production dependencies of one program and the shared packages it imports ---
# The mkdir keeps the COPY of <program>/node_modules valid when npm hoists everything.
FROM manifests AS app-deps
RUN npm ci --omit=dev --no-audit --no-fund -w @printq/app -w @printq/shared \
  && mkdir -p app/node_modules

FROM manifests AS worker-deps
RUN npm ci --omit=dev --no-audit --no-fund -w @printq/worker -w @printq/shared \
  && mkdir -p worker/node_modules

FROM manifests AS operator-deps
RUN npm ci --omit=dev --no-audit --no-fund -w @printq/operator -w @printq/shared -w @printq/crd \
  && mkdir -p operator/node_modules

# --- runtime: node, compiled JavaScript and production node_modules; nothing else ---
# COPY leaves files owned by root, so the numeric UID (runAsNonRoot can only be verified for
# numbers) can read but not change them. Processes write only to /tmp (an emptyDir in
# Kubernetes), so every image runs with readOnlyRootFilesystem. node runs directly, not npm:
# npm writes logs and cache, and forwards signals poorly (SIGTERM must reach the process for
# the graceful drain).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /srv
COPY --from=manifests /src/package.json ./
COPY --from=build /src/packages/shared/package.json packages/shared/package.json
COPY --from=build /src/packages/shared/dist packages/shared/dist
USER 10001:10001

FROM runtime AS app
COPY --from=app-deps /src/node_modules node_modules
COPY --from=app-deps /src/app/node_modules app/node_modules
COPY --from=app-build /src/app/package.json app/package.json
COPY --from=app-build /src/app/dist app/dist
EXPOSE 8080
CMD ["node", "app/dist/main.js"]

FROM runtime AS worker
COPY --from=worker-deps /src/node_modules node_modules
COPY --from=worker-deps /src/worker/node_modules worker/node_modules
COPY --from=worker-build /src/worker/package.json worker/package.json
COPY --from=worker-build /src/worker/dist worker/dist
EXPOSE 9091
CMD ["node", "worker/dist/main.js"]

FROM runtime AS operator
COPY --from=operator-deps /src/node_modules node_modules
COPY --from=operator-deps /src/operator/node_modules operator/node_modules
COPY --from=build /src/packages/crd/package.json packages/crd/package.json
COPY --from=build /src/packages/crd/dist packages/crd/dist
COPY --from=operator-build /src/operator/package.json operator/package.json
COPY --from=operator-build /src/operator/dist operator/dist
EXPOSE 9090
CMD ["node", "operator/dist/main.js"]

# --- default: a build without --target would otherwise silently produce the last image ---
FROM ${NODE_IMAGE} AS choose-a-target
RUN echo 'printq: name the image, e.g. docker build --target app (app, worker or operator)' >&2 \
  && exit 1
