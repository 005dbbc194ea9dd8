// npm run fuzz -- <name> [options]: runs fuzz/<name>.ts on the CLI bundled from the working tree.
// Each fuzzer prints its seed first and stops at the first failure, printing how to reproduce it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const name = process.argv[2];
const dir = import.meta.dirname;
const available = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map((f) => f.replace(/\.ts$/, ''));
if (!name || !existsSync(join(dir, `${name}.ts`))) {
  console.error(`usage: npm run fuzz -- <${available.join('|')}> [options]`);
  process.exit(2);
}
// The image builds run dist/longshore.mjs: bundle it from the sources being fuzzed.
execFileSync(process.execPath, [join(dir, '../scripts/bundle.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
await import(join(dir, `${name}.ts`));
