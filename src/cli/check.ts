/**
 * `clusterdns check --conf FILE`: validates a Corefile without serving. It parses the file,
 * runs the Corefile-wide checks `serve` runs (`validateBlocks`: repeated plugins, `bind`
 * values, a zone served twice on one address), then every directive with its plugin's own
 * parser; prints `OK`, or `FILE:LINE: problem` on standard error and exits 1. Nothing is
 * started: no listener, watch or file handle stays open.
 */
import type { Command } from 'commander';
import { builtInPlugins, type PluginRegistry } from '../chain/plugin-registry.js';
import { SETUP_ONLY_DIRECTIVES } from '../chain/plugin-order.js';
import { portGroups, validateBlocks } from '../chain/validate-blocks.js';
import { loadCorefile } from '../config/corefile.js';
import type { ServerBlock } from '../config/directive.js';

interface Output {
  write(text: string): unknown;
}

export function register(program: Command): void {
  program
    .command('check')
    .description("validate a Corefile (syntax and every plugin's options) without serving")
    .requiredOption('--conf <file>', 'Corefile to check')
    .action((flags: { conf: string }) => {
      process.exitCode = runCheck(flags.conf, process.stdout, process.stderr);
    });
}

/** Runs the check; returns the exit code. */
export function runCheck(
  file: string,
  stdout: Output,
  stderr: Output,
  registry: PluginRegistry = builtInPlugins,
): number {
  try {
    const blocks = loadCorefile(file);
    validateBlocks(blocks, null, registry);
    for (const block of blocks) checkBlock(block, registry);
    stdout.write('OK\n');
    return 0;
  } catch (err) {
    stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
}

/** Parses every directive once per port of the block, as the server would build it. */
function checkBlock(block: ServerBlock, registry: PluginRegistry): void {
  for (const { info } of portGroups(block, null)) {
    for (const directive of block.directives) {
      if (SETUP_ONLY_DIRECTIVES.has(directive.name)) continue;
      registry.require(directive).parse(directive, info);
    }
  }
}
