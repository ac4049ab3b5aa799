# ml-anomaly-api container image.
#   docker build -t ml-anomaly-api .
#   docker run -d --name anomaly-service -p 8000:8000 ml-anomaly-api
# Multi-stage: `build` compiles TypeScript (and trains the default model when no artifact is
# committed), `deps` installs production dependencies only and trims files Node never loads,
# `runtime` holds the compiled output, those dependencies and the model, and runs as `node`.
# No `# syntax=` line and no RUN --mount: the image must also build with the legacy builder.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY model-artifacts ./model-artifacts
RUN npx tsc -p tsconfig.build.json \
 && if [ ! -f model-artifacts/anomaly-detector.json ]; then node dist/cli/train.js; fi

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Source maps, type declarations, docs and rxjs's ESM/UMD builds are never loaded by the
# CommonJS runtime; dropping them keeps the image close to the base size.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force \
 && find node_modules \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \
      -o -iname '*.md' -o -iname 'CHANGELOG*' \) -type f -delete \
 && rm -rf node_modules/rxjs/dist/esm5 node_modules/rxjs/dist/esm node_modules/rxjs/dist/bundles \
      node_modules/rxjs/src

FROM ${NODE_IMAGE} AS runtime
# SHUTDOWN_GRACE_MS stays under `docker stop`'s default 10 s before SIGKILL.
ENV NODE_ENV=production \
    PORT=8000 \
    HOST=0.0.0.0 \
    MODEL_PATH=/app/model-artifacts/anomaly-detector.json \
    SHUTDOWN_GRACE_MS=8000
WORKDIR /app
# Everything is owned by root and read-only to the service user: the process never writes to
# its image, so the container also runs with a read-only root filesystem.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/model-artifacts ./model-artifacts
# Serve your own model by mounting a directory over /app/model-artifacts, or anywhere else
# together with MODEL_PATH (see README, "Container and Kubernetes").
# The official image's unprivileged `node` user, by number so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8000
STOPSIGNAL SIGTERM
# The slim image has no curl: probe /health with node itself (200 only when a model is loaded).
# The first probe runs one interval after start (the legacy builder has no --start-interval),
# so a short interval is what makes the container healthy within seconds.
HEALTHCHECK --interval=3s --timeout=2s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('http').get({host:'127.0.0.1',port:process.env.PORT||8000,path:'/health',timeout:2500},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',function(){this.destroy()})"]
CMD ["node", "dist/main.js"]
