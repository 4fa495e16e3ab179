# syntax=docker/dockerfile:1
#
# One image for both roles: `node dist/main.js` runs API and worker together (IDGRAPH_ROLE=all);
# docker-compose.yml runs them as two services with `--api` and `--worker`.
# There is no HEALTHCHECK here for the same reason: only the API role answers HTTP, so the
# API's health check lives in docker-compose.yml (or your orchestrator's probes: /healthz, /readyz).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: full dependencies, TypeScript -> dist/ ---------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && rm -f dist/.tsbuildinfo

# --- runtime: production dependencies, dist/ and cypher/ only ----------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# src/graph/cypher-loader.ts resolves dist/graph/ -> ../../cypher, i.e. /app/cypher.
COPY cypher ./cypher
# Files stay root-owned and read-only to the service; it writes nothing to its own directory.
USER node
EXPOSE 8080
CMD ["node", "dist/main.js"]
