/**
 * Entry point of the pause measurement: `node cpu-pauses-main.js SECONDS` prints one JSON
 * line (see cpu-pauses.ts). Run pinned with taskset.
 */
import { measurePausesHere } from './cpu-pauses.js';

const seconds = Number(process.argv[2] ?? '2');
process.stdout.write(JSON.stringify(measurePausesHere(seconds)) + '\n');
