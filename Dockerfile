# llmbench as a container (docker-compose.yml's `llmbench` profile): `docker build -t llmbench .`, then
# `docker run --rm llmbench run --engine … --url … --model …`.

# Build: all dependencies, then the TypeScript to dist/. Scripts are skipped at install (the `prepare` build
# needs the sources, copied after; koffi ships its native part prebuilt), and run explicitly once the sources are in.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY cli cli
COPY collectors collectors
COPY pipeline pipeline
COPY analytics analytics
COPY simulator simulator
RUN npm run build && npm prune --omit=dev --ignore-scripts

# Runtime: production dependencies, the built JavaScript and the files it reads at run time: package.json (the
# version), scenarios/ (the presets) and analytics/flux/ (the Flux queries; dist/ has no .flux files).
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY bin bin
COPY scenarios scenarios
COPY analytics/flux analytics/flux
RUN mkdir -p runs && chown node:node runs
USER node
ENTRYPOINT ["node", "bin/llmbench.js"]
CMD ["--help"]
