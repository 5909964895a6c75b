# One image for every process of the platform; SERVICE picks which one runs:
#   docker build -t lender-crm .
#   docker run -e SERVICE=customers -e PORT=4001 -e DATABASE_URL=... -e JWT_SECRET=... -e GATEWAY_SECRET=... lender-crm
# SERVICE is gateway (default), customers, credit, engagement or loyalty. The TypeScript sources
# run as they are on Node 24 (type stripping, no loader: every file is erasable syntax, which
# `pnpm typecheck` enforces with erasableSyntaxOnly); CI runs the same start in
# apps/gateway/test/production-start.test.ts.

# Dependencies: production only (no tsx, vitest, codegen, biome), from the frozen lockfile.
FROM node:24-bookworm-slim AS deps
RUN npm install -g pnpm@10.34.9
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json .npmrc ./
COPY apps/gateway/package.json apps/gateway/
COPY packages/events/package.json packages/events/
COPY packages/graphql-types/package.json packages/graphql-types/
COPY packages/service-kit/package.json packages/service-kit/
COPY services/customers/package.json services/customers/
COPY services/credit/package.json services/credit/
COPY services/engagement/package.json services/engagement/
COPY services/loyalty/package.json services/loyalty/
RUN pnpm install --frozen-lockfile --prod

# Runtime: Node and the application only (no pnpm, no npm cache), as the unprivileged `node` user,
# which can write only .data (PGlite, when no DATABASE_URL is given), not the code.
FROM node:24-bookworm-slim
WORKDIR /app
COPY --from=deps /app ./
COPY . .
RUN mkdir -p .data && chown node:node .data
ARG SERVICE=gateway
ENV SERVICE=${SERVICE} NODE_ENV=production HOST=0.0.0.0 PORT=4000
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# exec: node is PID 1 and receives SIGTERM itself (each process drains and stops on it).
CMD ["sh", "-c", "if [ \"$SERVICE\" = gateway ]; then exec node apps/gateway/src/main.ts; else exec node \"services/$SERVICE/src/main.ts\"; fi"]
