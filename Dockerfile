# clusterdns container image: a build stage compiles the TypeScript and the batch UDP addon
# (native/, built by npm ci through node-gyp with the image's python3, make and g++); the
# runtime stage holds only Node.js, the production dependencies, the compiled JavaScript and
# the addon, and runs as a non-root user.
#
#   docker build -t clusterdns:0.1.0 .
#   docker run --rm -p 1053:53/udp -v "$PWD/examples:/etc/coredns:ro" clusterdns:0.1.0

FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json binding.gyp ./
COPY native ./native
COPY scripts/build-native.mjs ./scripts/build-native.mjs
RUN npm ci --no-audit --no-fund
COPY src ./src
RUN npx tsc -p tsconfig.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/build/Release/batch_udp.node ./build/Release/batch_udp.node
# A numeric user, so that Kubernetes can verify runAsNonRoot without a runAsUser.
USER 65532:65532
# DNS, then health (/health), ready (/ready) and prometheus (/metrics).
EXPOSE 53/udp 53/tcp 8080 8181 9153
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["serve", "--conf", "/etc/coredns/Corefile"]
