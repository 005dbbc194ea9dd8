// Which packages a run of the bundled CLI loads. A preload (`node --import MODULES_HOOK`) records every
// module file the process (and each of its worker threads) loads, through node:module's public hooks,
// and writes the list at exit: to stderr as one `MODULES …` line, or appended to the file named by
// LONGSHORE_TEST_MODULES. The bundle keeps esbuild's `// node_modules/PKG/…` comments, so the chunks
// loaded name the packages they hold.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tmp } from './nix.js';

const HOOK = `
import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';
const seen = new Set();
registerHooks({ load(url, context, next) { seen.add(url); return next(url, context); } });
process.on('exit', () => {
  const line = 'MODULES ' + [...seen].join(' ') + ' ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => 'node:' + m.slice(13)).join(' ') + '\\n';
  if (process.env.LONGSHORE_TEST_MODULES) appendFileSync(process.env.LONGSHORE_TEST_MODULES, line);
  else process.stderr.write(line);
});
`;

/** The preload, as a data: URL for `node --import`. */
export const MODULES_HOOK = `data:text/javascript,${encodeURIComponent(HOOK).replaceAll("'", '%27')}`;

export interface Loaded {
  /** npm packages whose code was in a loaded chunk of the bundle, e.g. "undici", "yargs". */
  packages: Set<string>;
  /** Node's built-in modules, e.g. "node:http2". */
  builtins: Set<string>;
}

/** Reads `MODULES …` lines (any number: one per process or worker thread) into one Loaded. */
export function parseLoaded(text: string): Loaded {
  const packages = new Set<string>();
  const builtins = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('MODULES ')) continue;
    for (const item of line.slice(8).split(' ').filter(Boolean)) {
      if (item.startsWith('node:')) builtins.add(item);
      else if (item.startsWith('file:') && item.endsWith('.mjs')) {
        const src = readFileSync(fileURLToPath(item), 'utf8');
        for (const m of src.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) packages.add(m[1]);
      }
    }
  }
  return { packages, builtins };
}

/**
 * A stand-in for the node binary, for Nix builds (whose environment is cleared): it starts the real
 * node with the preload and appends to `file`.
 */
export function tracingNode(): { node: string; file: string } {
  const dir = tmp('longshore-trace-');
  const file = join(dir, 'modules.txt');
  writeFileSync(file, '');
  const node = join(dir, 'node');
  writeFileSync(node, `#!/bin/sh\nLONGSHORE_TEST_MODULES=${file} exec ${process.execPath} --import '${MODULES_HOOK}' "$@"\n`);
  chmodSync(node, 0o755);
  return { node, file };
}
