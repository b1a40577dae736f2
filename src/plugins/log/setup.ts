/**
 * `log [NAMES...] [FORMAT] { class success|denial|error|all ... }`: one line per answered query
 * on standard output in CoreDNS's text format (default: its common log format, each line led
 * by `[INFO] `).
 *
 * Why text and not pino JSON like the rest of clusterdns: operators who replace CoreDNS keep
 * their log pipelines and dashboards, which parse exactly this line. Process logs stay JSON;
 * a query line is told apart by its `[INFO] ` lead.
 */
import type { Handler } from '../../chain/handler.js';
import type { PluginContext, PluginSetup } from '../../chain/plugin.js';
import type { Directive } from '../../config/directive.js';
import { ConfigError } from '../../errors.js';
import { standardOutputSink, type LineSink } from './line-sink.js';
import { COMMON_LOG_FORMAT, compileFormat } from './log-format.js';
import { QueryLogHandler, type LogRule } from './query-log-handler.js';
import { RESPONSE_CLASSES, type ResponseClass } from './response-class.js';

export interface LogConfig {
  readonly rules: readonly LogRule[];
}

function parse(directive: Directive): LogConfig {
  const args = [...directive.args];
  let format = COMMON_LOG_FORMAT;
  if (args.length > 0 && args[args.length - 1].includes('{')) format = args.pop() ?? format;
  const zones = (args.length ? args : ['.']).map((z) => z.toLowerCase().replace(/\.$/, ''));
  const classes = parseClasses(directive);
  const compiled = compileFormat(format);
  return Object.freeze({ rules: [{ zones, format: compiled, classes }] });
}

function parseClasses(directive: Directive): ReadonlySet<ResponseClass> {
  const chosen = new Set<ResponseClass>();
  for (const option of directive.block) {
    if (option.name !== 'class') {
      throw new ConfigError(
        'CONFIG_UNKNOWN_OPTION',
        option,
        `log: unknown option "${option.name}"`,
      );
    }
    if (option.args.length === 0) {
      throw new ConfigError(
        'CONFIG_BAD_VALUE',
        option,
        'log: class needs success, denial, error or all',
      );
    }
    for (const name of option.args) {
      if (name === 'all') {
        RESPONSE_CLASSES.forEach((c) => chosen.add(c));
        continue;
      }
      if (!(RESPONSE_CLASSES as readonly string[]).includes(name)) {
        throw new ConfigError('CONFIG_BAD_VALUE', option, `log: unknown class "${name}"`);
      }
      chosen.add(name as ResponseClass);
    }
  }
  return chosen.size ? chosen : new Set(RESPONSE_CLASSES);
}

/**
 * Builds the handler writing to `sink` (standard output unless a test gives its own); `now` is
 * the clock durations are measured with, in `process.hrtime.bigint()` nanoseconds.
 */
export function createLogHandler(
  config: LogConfig,
  next: Handler,
  sink: LineSink,
  now: () => bigint = process.hrtime.bigint,
): Handler {
  return new QueryLogHandler(next, config.rules, sink, now);
}

function create(config: LogConfig, next: Handler, _context: PluginContext): Handler {
  return createLogHandler(config, next, standardOutputSink());
}

/** Several `log` lines of a block: one handler whose first rule matching a name logs it. */
function combine(configs: readonly LogConfig[]): LogConfig {
  return Object.freeze({ rules: configs.flatMap((c) => c.rules) });
}

export const setup: PluginSetup<LogConfig> = { name: 'log', parse, create, combine };
export const logSetup = setup;
