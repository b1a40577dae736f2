/**
 * Server-side label selector matching for the test API server: the forms Kubernetes accepts
 * (`k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`), comma-separated.
 */
export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

export function parseSelector(selector: string): LabelMatcher {
  const requirements = splitTerms(selector).map(parseTerm);
  return (labels) => requirements.every((matches) => matches(labels ?? {}));
}

function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim()) terms.push(current.trim());
  return terms.filter(Boolean);
}

type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

function parseTerm(term: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set) {
    const [, key, op, list] = set;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (labels) => key in labels && values.has(labels[key])
      : (labels) => !(key in labels) || !values.has(labels[key]);
  }
  const equality = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (equality) {
    const [, key, op, value] = equality;
    return op === '!='
      ? (labels) => labels[key] !== value
      : (labels) => labels[key] === value;
  }
  if (term.startsWith('!')) return (labels) => !(term.slice(1) in labels);
  return (labels) => term in labels;
}
