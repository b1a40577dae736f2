/**
 * Go-style durations as CoreDNS Corefiles write them: `5s`, `1m30s`, `500ms`, `1.5h`, `0`.
 *
 * The grammar is Go's `time.ParseDuration`: one or more decimal numbers, each with an optional
 * fraction and a unit (ns, us, µs, ms, s, m, h); a bare `0` needs no unit. Negative durations
 * are refused because no Corefile option means anything by them.
 */

const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Parses a duration into milliseconds (fractions kept: `1500us` is 1.5). Returns null when the
 * text is not a duration, so callers can name the option in their own error.
 */
export function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  if (text === '') return null;

  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== start) return null;
    total += Number(match[1]) * UNIT_NS[match[2]];
  }
  // Summed in nanoseconds, as Go does, so that `100ns` is exactly 0.0001 ms.
  return Number.isFinite(total) ? total / 1e6 : null;
}

/**
 * Writes milliseconds the way Go prints a time.Duration (`30s`, `1m30s`, `500ms`, `2h0m0s`),
 * for log lines that operators compare with CoreDNS's.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1) return `${trim(ms * 1000)}µs`;
  if (ms < 1000) return `${trim(ms)}ms`;

  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  if (hours > 0) return `${hours}h${minutes}m${trim(seconds)}s`;
  if (minutes > 0) return `${minutes}m${trim(seconds)}s`;
  return `${trim(seconds)}s`;
}

function trim(value: number): string {
  return String(Number(value.toFixed(9)));
}
