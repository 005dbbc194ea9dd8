// `longshore copy` without loading yargs: the edit/push loop runs this on every change, and loading
// yargs costs a no-op push about 34 ms on Node 24 (docs/registry.md, start-up). It reads the same
// option table (commands/copy-options.ts) with node:util, and takes only plain command lines. For
// anything else (--help, an unknown option, a repeated one that is not repeatable, a malformed value, `--` or `-`, a boolean
// followed by true/false, which yargs would take as its value) it returns null, and yargs parses,
// with its messages. test/copy-fast.test.ts holds the two to one result on every option and error.
import { parseArgs } from 'node:util';
import { COPY_OPTIONS, toCopyArgs } from './commands/copy-options.js';
import type { CopyArgs } from './commands/copy.js';

type ParseOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
let options: ParseOptions | undefined;

function parseOptions(): ParseOptions {
  if (options) return options;
  options = {};
  for (const [name, spec] of Object.entries(COPY_OPTIONS)) {
    options[name] = { type: spec.type === 'boolean' ? 'boolean' : 'string', ...(spec.alias?.length === 1 ? { short: spec.alias } : {}), ...(spec.array ? { multiple: true } : {}) };
  }
  return options;
}

const isBoolean = (name: string): boolean => COPY_OPTIONS[name]?.type === 'boolean';
const isArray = (name: string): boolean => COPY_OPTIONS[name]?.array === true;

export function parseCopyFast(argv: readonly string[]): CopyArgs | null {
  if (argv[0] !== 'copy') return null;
  // parseArgs takes --no-X but not --X=true|false for a boolean; yargs takes both.
  const args = argv.slice(1).map((a) => {
    const m = /^--([a-z-]+)=(true|false)$/.exec(a);
    return m && isBoolean(m[1]) ? (m[2] === 'true' ? `--${m[1]}` : `--no-${m[1]}`) : a;
  });
  let parsed;
  try {
    parsed = parseArgs({ args, options: parseOptions(), allowPositionals: true, allowNegative: true, strict: true, tokens: true });
  } catch {
    return null;
  }
  const seen = new Set<string>();
  for (const [i, t] of parsed.tokens.entries()) {
    if (t.kind === 'option-terminator') return null;
    if (t.kind !== 'option') continue;
    // A repeatable option keeps each value; an empty one is yargs' to judge.
    if (isArray(t.name)) {
      if (!t.value) return null;
      continue;
    }
    if (seen.has(t.name)) return null;
    seen.add(t.name);
    const next = parsed.tokens[i + 1];
    if (isBoolean(t.name) && next?.kind === 'positional' && (next.value === 'true' || next.value === 'false')) return null;
  }
  if (parsed.positionals.length !== 2 || parsed.positionals.includes('-')) return null;
  const values: Record<string, unknown> = { ...parsed.values };
  for (const [name, spec] of Object.entries(COPY_OPTIONS)) {
    if (spec.type !== 'number') continue;
    if (values[name] === undefined) values[name] = spec.default;
    else if (!/^[0-9]+$/.test(String(values[name]))) return null;
    else values[name] = Number(values[name]);
  }
  return toCopyArgs(parsed.positionals[0], parsed.positionals[1], values);
}
