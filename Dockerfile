# Tollgate gateway image. No build step: bin/tollgate.js runs the TypeScript sources through tsx
# (a runtime dependency), exactly as `npm start` does. See docs/deploy.md.
#
#   docker build -t tollgate .
#   docker build --build-arg NODE_RUNTIMES=1 -t tollgate .   # with Node 22/24 for nodejs22.x/24.x functions

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary for linux x64/arm64 with glibc; the compilers are the
# fallback when none matches (they stay in this stage).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
ARG NODE_RUNTIMES=0
COPY runtimes/node/package.json runtimes/node/package-lock.json ./runtimes/node/
RUN if [ "$NODE_RUNTIMES" = "1" ]; then npm ci --prefix runtimes/node --no-audit --no-fund; fi

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    TOLLGATE_HOST=0.0.0.0 \
    TOLLGATE_PORT=4566 \
    TOLLGATE_DATA_DIR=/var/lib/tollgate
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/runtimes ./runtimes
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
# The image's `node` user (uid 1000) runs the gateway and owns only the data directory.
RUN mkdir -p /var/lib/tollgate && chown node:node /var/lib/tollgate
USER node
VOLUME /var/lib/tollgate
EXPOSE 4566
# Liveness only: readiness (/_tollgate/ready) is the load balancer's business.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TOLLGATE_PORT || 4566) + '/_tollgate/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec form: node is PID 1 and receives SIGTERM itself, so in-flight requests drain on `docker stop`.
ENTRYPOINT ["node", "bin/tollgate.js"]
CMD ["serve", "--host", "0.0.0.0"]
