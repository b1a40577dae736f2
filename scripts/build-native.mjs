#!/usr/bin/env node
// npm's install step for clusterdns: builds the batch UDP addon (native/batch_udp.cc) with the
// node-gyp that npm carries, against the headers of the running Node.js where they are
// installed (so no header download is needed). The addon only makes UDP faster: when it
// cannot be built (no compiler, not Linux) the install still succeeds, and the server says at
// start that it serves UDP through node:dgram. The test suite checks that it loads.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const warn = (why) => {
  process.stderr.write(
    `clusterdns: batch UDP addon not built (${why}); UDP will be served through node:dgram\n`,
  );
  process.exit(0);
};

if (process.platform !== 'linux') warn(`recvmmsg/sendmmsg need Linux, not ${process.platform}`);

const prefix = path.dirname(path.dirname(process.execPath));
const nodeGyp =
  process.env.npm_config_node_gyp ??
  path.join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
if (!fs.existsSync(nodeGyp)) warn(`node-gyp not found at ${nodeGyp}`);

const args = [nodeGyp, 'rebuild'];
const headers = path.join(prefix, 'include/node/node_api.h');
if (!process.env.npm_config_nodedir && fs.existsSync(headers)) args.push(`--nodedir=${prefix}`);
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (result.status !== 0) warn(`node-gyp exited with ${result.status ?? result.signal}`);
