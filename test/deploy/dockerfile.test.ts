/**
 * The Dockerfile's promises, read from the file (no container runtime is needed): a build stage
 * and a slim runtime stage, production dependencies only, a numeric non-root user, the DNS,
 * health, ready and metrics ports, and an entry point that exists in the compiled tree.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI_PATH } from '../helpers/clusterdns-process.js';
import { repositoryRoot } from './deploy-dir.js';

const text = () => fs.readFileSync(path.join(repositoryRoot(), 'Dockerfile'), 'utf8');
const instructions = () =>
  text()
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));

describe('Dockerfile', () => {
  it('has a node:20 build stage and a slim runtime stage', () => {
    const froms = instructions().filter((l) => l.startsWith('FROM '));
    assert.deepEqual(froms, [
      'FROM node:20-bookworm AS build',
      'FROM node:20-bookworm-slim AS runtime',
    ]);
  });

  it('builds with npm ci and tsc and ships only production dependencies', () => {
    const build = instructions().join('\n').split('FROM node:20-bookworm-slim')[0];
    assert.match(build, /RUN npm ci/);
    assert.match(build, /npx tsc -p tsconfig\.json/);
    assert.match(build, /npm prune --omit=dev/);
    const runtime = instructions().join('\n').split('FROM node:20-bookworm-slim')[1];
    assert.doesNotMatch(runtime, /npm (ci|install)/);
  });

  it('builds the batch UDP addon in the build stage and ships it where the loader looks', () => {
    const [build, runtime] = instructions().join('\n').split('FROM node:20-bookworm-slim');
    // npm ci runs node-gyp, which needs binding.gyp and the sources before it.
    assert.match(
      build,
      /COPY [^\n]*binding\.gyp[^\n]*\nCOPY native \.\/native\nCOPY scripts\/build-native\.mjs [^\n]*\nRUN npm ci/,
    );
    const ignore = fs.readFileSync(path.join(repositoryRoot(), '.dockerignore'), 'utf8');
    assert.ok(ignore.split('\n').includes('!scripts/build-native.mjs'));
    const shipped = 'COPY --from=build /src/build/Release/batch_udp.node ./build/Release/batch_udp.node';
    assert.ok(runtime.includes(shipped));
    // The loader resolves the addon from dist/src/server/ three levels up, as /app is laid out.
    const loader = fs.readFileSync(
      path.join(repositoryRoot(), 'src/server/batch-udp-addon.ts'),
      'utf8',
    );
    assert.match(loader, /'\.\.\/\.\.\/\.\.\/build\/Release\/batch_udp\.node'/);
  });

  it('runs as a numeric non-root user and exposes DNS, health, ready and metrics', () => {
    const lines = instructions();
    const user = lines.filter((l) => l.startsWith('USER ')).pop();
    assert.equal(user, 'USER 65532:65532');
    assert.equal(
      lines.find((l) => l.startsWith('EXPOSE ')),
      'EXPOSE 53/udp 53/tcp 8080 8181 9153',
    );
  });

  it('starts the compiled CLI, which exists where the runtime stage copies it', () => {
    assert.ok(instructions().includes('ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]'));
    assert.ok(instructions().includes('COPY --from=build /src/dist/src ./dist/src'));
    assert.ok(fs.existsSync(CLI_PATH), CLI_PATH);
    assert.match(CLI_PATH, /src\/cli\/main\.js$/);
  });

  it('.dockerignore keeps node_modules, dist, build and .git out of the build context', () => {
    const ignored = fs
      .readFileSync(path.join(repositoryRoot(), '.dockerignore'), 'utf8')
      .split('\n');
    for (const entry of ['node_modules', 'dist', 'build', '.git']) assert.ok(ignored.includes(entry), entry);
  });
});
