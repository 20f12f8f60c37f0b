# syntax=docker/dockerfile:1
# Multi-stage build of the stac-catalog-manager CLI on Node 24 LTS.
# tools/dockerfile-steps.mjs replays these steps without a Docker engine in CI,
# so keep every RUN relative to its WORKDIR and every COPY explicit.

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc nx.json tsconfig.base.json vitest.shared.ts ./
COPY packages ./packages
RUN npm ci --no-audit --no-fund --ignore-scripts=false
RUN npx nx run-many -t build --outputStyle=static
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages ./packages
USER node
WORKDIR /data
ENTRYPOINT ["node", "/app/packages/cli/dist/bin.js"]
CMD ["--help"]
