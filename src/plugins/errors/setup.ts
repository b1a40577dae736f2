/**
 * `errors { consolidate DURATION REGEXP [LEVEL] [show_first]; stacktrace }`: logs the block's
 * failed queries (pino JSON, level error, message `query failed`), folding repeats that match a
 * `consolidate` rule into `errors folded` summaries. The first matching rule wins.
 */
import type { Handler } from '../../chain/handler.js';
import type { PluginContext, PluginSetup } from '../../chain/plugin.js';
import type { Directive } from '../../config/directive.js';
import { durationValue, expectArgs } from '../../config/option-values.js';
import { ConfigError } from '../../errors.js';
import { counter } from '../../metrics/registry.js';
import {
  ErrorFolder,
  realTimers,
  type FoldLevel,
  type FoldRule,
  type Timers,
} from './error-folder.js';
import { ErrorsHandler } from './errors-handler.js';

export interface ErrorsConfig {
  readonly rules: readonly FoldRule[];
  readonly stacktrace: boolean;
}

const LEVELS: Readonly<Record<string, FoldLevel>> = {
  warning: 'warn',
  error: 'error',
  info: 'info',
  debug: 'debug',
};

/** CoreDNS's limit on the length of a consolidate expression. */
const MAX_PATTERN = 10_000;

function parse(directive: Directive): ErrorsConfig {
  expectArgs(directive, 0, 0);
  const rules: FoldRule[] = [];
  let stacktrace = false;
  for (const option of directive.block) {
    if (option.name === 'stacktrace' || option.name === 'panicRecoveryStacktrace') {
      expectArgs(option, 0, 0);
      stacktrace = true;
    } else if (option.name === 'consolidate') {
      rules.push(parseConsolidate(option));
    } else {
      throw new ConfigError(
        'CONFIG_UNKNOWN_OPTION',
        option,
        `errors: unknown option "${option.name}"`,
      );
    }
  }
  return Object.freeze({ rules, stacktrace });
}

function parseConsolidate(option: Directive): FoldRule {
  expectArgs(option, 2, 4);
  const [period, source, ...rest] = option.args;
  const periodMs = durationValue(option, 'consolidate', period, 1);
  if (source.length > MAX_PATTERN) {
    throw new ConfigError(
      'CONFIG_BAD_VALUE',
      option,
      `consolidate: expression longer than ${MAX_PATTERN}`,
    );
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(source);
  } catch (err) {
    throw new ConfigError(
      'CONFIG_BAD_VALUE',
      option,
      `consolidate: bad expression: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  let level: FoldLevel = 'error';
  let showFirst = false;
  for (const word of rest) {
    if (word === 'show_first') showFirst = true;
    else if (LEVELS[word]) level = LEVELS[word];
    else throw new ConfigError('CONFIG_BAD_VALUE', option, `consolidate: unknown level "${word}"`);
  }
  return { periodMs, pattern, source, level, showFirst };
}

/** Builds the handler with the given timers (tests pass their own). */
export function createErrorsHandler(
  config: ErrorsConfig,
  next: Handler,
  context: PluginContext,
  timers: Timers = realTimers,
): ErrorsHandler {
  const folders = config.rules.map((rule) => new ErrorFolder(rule, context.logger, timers));
  const panics = counter(context.metrics, {
    name: 'coredns_panics_total',
    help: 'Queries whose handling threw and were answered SERVFAIL.',
  });
  const handler = new ErrorsHandler(next, folders, context.logger, config.stacktrace, () =>
    panics.inc(),
  );
  context.addClosable(handler);
  return handler;
}

function create(config: ErrorsConfig, next: Handler, context: PluginContext): Handler {
  return createErrorsHandler(config, next, context);
}

export const setup: PluginSetup<ErrorsConfig> = { name: 'errors', parse, create };
export const errorsSetup = setup;
