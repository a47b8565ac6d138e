# margo-bridge service image. Build: docker build -t margo-bridge .   (without a Docker engine:
# bash scripts/container-test.sh builds it with buildah and runs it, as CI does)
# Run:   docker run -p 8787:8787 -v margo-data:/data -e MARGO_BRIDGE_ADMIN_TOKEN=... margo-bridge
# Settings: docs/configuration.md (environment variables, or a margo-bridge.yaml given with
# MARGO_BRIDGE_CONFIG). Inside the container the service listens on 0.0.0.0.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Production dependencies only; then what no running process reads: type declarations, source
# maps, and better-sqlite3's C sources and object files (its compiled .node module stays).
RUN npm run build && npm prune --omit=dev \
  && find node_modules \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -type f -delete \
  && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
     node_modules/better-sqlite3/build/Release/obj node_modules/better-sqlite3/build/Release/obj.target \
     node_modules/better-sqlite3/build/Release/.deps node_modules/better-sqlite3/build/deps

FROM node:20-bookworm-slim
# git provides git http-backend for the demonstration registry (serve --demo).
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# V8's young generation capped at 1 MiB (its default grows to 16): an ingest's peak memory stays
# near what it holds (docs/limits.md "Reading packages"); `-e NODE_OPTIONS=…` replaces it.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=1 \
    HOST=0.0.0.0 \
    PORT=8787 \
    MARGO_BRIDGE_DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY examples ./examples
COPY templates ./templates
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8787)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The service handles SIGTERM itself (graceful shutdown), so node can run as PID 1.
ENTRYPOINT ["node", "bin/margo-bridge.js"]
CMD ["serve"]
