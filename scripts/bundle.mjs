// Bundles the CLI and its dependencies into dist/ (entry dist/longshore.mjs plus lazily loaded
// chunks), so the Nix side needs only node and this directory.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { longshore: 'src/entry.ts' },
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  legalComments: 'none',
  // yargs would look for a package.json from the working directory and print "unknown" elsewhere.
  define: { LONGSHORE_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  logLevel: 'warning',
});
