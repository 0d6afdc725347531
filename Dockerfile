# syntax=docker/dockerfile:1
# rovd in a container (docs/deploy.md).
#
#   docker build -t rovd .
#   docker run -d --name rovd -p 11019:11019 -p 9684:9684 -v rovd-data:/var/lib/rovd rovd
#
# Two stages: `build` compiles the TypeScript with the dev dependencies;
# the runtime image has Node.js, the production dependencies and dist/ only.

ARG NODE_IMAGE=node:20-bookworm
ARG NODE_RUNTIME_IMAGE=node:20-bookworm-slim

# --- build: npm ci (dev dependencies for tsc), npm run build -> dist/ --------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: node, production dependencies, dist/, a non-root user ---------------
FROM ${NODE_RUNTIME_IMAGE} AS runtime
# tini (Debian's) is PID 1: it forwards SIGTERM/SIGINT to node and reaps
# children (rovd spawns gzip/bzip2 readers for MRT files). node then runs
# as an ordinary process, so rovd's own SIGTERM handler does the clean
# stop, and a second SIGTERM during a stuck stop ends it (as PID 1, node
# would ignore it). `docker run --init` is not needed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 rovd \
 && useradd --system --uid 10001 --gid rovd --home-dir /var/lib/rovd --no-create-home --shell /usr/sbin/nologin rovd
WORKDIR /opt/rovd
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist

# /etc/rovd: the config the container runs (deploy/rovd/rovd.yaml: BMP on
# 0.0.0.0:11019 from private ranges, the API on 0.0.0.0:9684, the store in
# /var/lib/rovd), the documented example beside it, and the sample VRPs
# both read (sample/vrps.json, relative to the config). Mount your own
# rovd.yaml (and VRP files, or an RTR cache) over it.
COPY deploy/rovd/rovd.yaml /etc/rovd/rovd.yaml
COPY config/rovd.example.yaml /etc/rovd/rovd.example.yaml
COPY config/sample /etc/rovd/sample
RUN mkdir -p /var/lib/rovd && chown rovd:rovd /var/lib/rovd
VOLUME ["/var/lib/rovd"]

USER rovd:rovd
# 11019/tcp: BMP from routers (RFC 7854). 9684/tcp: the HTTP API and /metrics.
EXPOSE 11019/tcp 9684/tcp

# Liveness with node itself (no curl in the image). /healthz answers from
# any source, without a signature; with http.tls on, see docs/deploy.md.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9684/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/cli/main.js", "run", "--config", "/etc/rovd/rovd.yaml"]
