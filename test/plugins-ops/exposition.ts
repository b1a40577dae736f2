/**
 * Scrapes a Prometheus text exposition and parses it into families and samples, so tests can
 * assert metric names, types, label names, bucket bounds and values exactly.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly samples: Sample[];
}

export async function scrape(port: number, path = '/metrics'): Promise<Map<string, Family>> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  if (response.status !== 200) throw new Error(`scrape ${path}: HTTP ${response.status}`);
  return parseExposition(await response.text());
}

/** Parses the text format; samples go to the family whose name prefixes them. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      families.set(type[1], { name: type[1], type: type[2], samples: [] });
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSample(line);
    const family = families.get(familyOf(sample.name, families));
    if (!family) throw new Error(`sample without TYPE: ${line}`);
    family.samples.push(sample);
  }
  return families;
}

function familyOf(sampleName: string, families: Map<string, Family>): string {
  if (families.has(sampleName)) return sampleName;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = sampleName.slice(0, -suffix.length);
    if (sampleName.endsWith(suffix) && families.has(base)) return base;
  }
  return sampleName;
}

function parseSample(line: string): Sample {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
  if (!match) throw new Error(`bad sample line: ${line}`);
  const labels: Record<string, string> = {};
  for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    labels[pair[1]] = pair[2].replace(/\\(.)/g, (_m, ch: string) => (ch === 'n' ? '\n' : ch));
  }
  return { name: match[1], labels, value: Number(match[3]) };
}

/** The value of the one sample with exactly these label values (a subset match), or undefined. */
export function valueOf(
  families: Map<string, Family>,
  name: string,
  labels: Readonly<Record<string, string>>,
): number | undefined {
  const family = families.get(name.replace(/_(bucket|sum|count)$/, '')) ?? families.get(name);
  const matches = (family?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matches.length > 1) throw new Error(`${name}: ${matches.length} samples match`);
  return matches[0]?.value;
}
