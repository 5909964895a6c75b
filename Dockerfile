# One image for every process of the platform; the command picks the service.
#   docker build -t lender-crm .    then    docker run lender-crm pnpm --filter @crm/customers start
FROM node:20.19-bookworm-slim
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
RUN pnpm install --frozen-lockfile
COPY . .
ENV NODE_ENV=production HOST=0.0.0.0
USER node
