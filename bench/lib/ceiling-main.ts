/**
 * Entry point of the Node ceiling server:
 * `node dist/bench/lib/ceiling-main.js RECORDS.json [PORT] [HOST]`.
 * Prints one JSON line `{"msg":"serving","port":N}` once bound.
 */
import { readFileSync } from 'node:fs';
import type { CeilingRecords } from './ceiling-records.js';
import { listenCeiling } from './ceiling-server.js';

const [recordsFile, port = '0', host = '127.0.0.1'] = process.argv.slice(2);
if (recordsFile === undefined) {
  process.stderr.write('usage: ceiling-main.js RECORDS.json [PORT] [HOST]\n');
  process.exit(2);
}
const records = JSON.parse(readFileSync(recordsFile, 'utf8')) as CeilingRecords;
const { socket, port: bound } = await listenCeiling(records, host, Number(port));
process.stdout.write(JSON.stringify({ msg: 'serving', port: bound, pid: process.pid }) + '\n');
process.once('SIGTERM', () => socket.close(() => process.exit(0)));
process.once('SIGINT', () => socket.close(() => process.exit(0)));
