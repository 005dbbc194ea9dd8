// `longshore copy` without loading yargs: the edit/push loop runs this on every change, and yargs'
// start-up (and the help text it formats on every command) is a good part of a no-op push.
// Anything unusual (--help, an unknown option, a malformed value) returns null, and the general
// yargs parser handles it, with its messages.
import { parseArgs } from 'node:util';
import { COPY_OPTIONS, toCopyArgs } from './commands/copy-options.js';
import type { CopyArgs } from './commands/copy.js';

export function parseCopyFast(argv: string[]): CopyArgs | null {
  if (argv[0] !== 'copy' || argv.some((a) => a === '--help' || a === '-h' || a === '--version')) return null;
  const rest: string[] = [];
  const bools: Record<string, boolean> = {};
  // node:util's parseArgs has no --no-X or --X=false on Node 20: take booleans out first.
  for (const arg of argv.slice(1)) {
    const m = /^--(no-)?([a-z-]+)(?:=(true|false))?$/.exec(arg);
    const name = m ? m[2] : '';
    if (m && COPY_OPTIONS[name]?.type === 'boolean') {
      bools[name] = m[1] ? false : m[3] !== 'false';
      continue;
    }
    rest.push(arg);
  }
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries(COPY_OPTIONS)) {
    options[name] = { type: spec.type === 'boolean' ? 'boolean' : 'string', ...(spec.alias?.length === 1 ? { short: spec.alias } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch {
    return null;
  }
  if (parsed.positionals.length !== 2) return null;
  const values: Record<string, string | number | boolean | undefined> = { ...parsed.values, ...bools };
  for (const [name, spec] of Object.entries(COPY_OPTIONS)) {
    if (spec.type === 'number') {
      if (values[name] === undefined) values[name] = spec.default;
      else if (!/^[0-9]+$/.test(String(values[name]))) return null;
      else values[name] = Number(values[name]);
    }
  }
  return toCopyArgs(parsed.positionals[0], parsed.positionals[1], values);
}
