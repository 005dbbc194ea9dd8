// Bundles the CLI and its dependencies into dist/ (entry dist/longshore.mjs plus lazily loaded
// chunks), so the Nix side needs only node and this directory. dist/ is committed: the flake's
// package (nix/package.nix) installs it as it is, and test/e2e/bundle.test.ts rebuilds it
// (`node scripts/bundle.mjs OUTDIR`, run from the repository's root) and compares byte for byte.
// The output depends only on the sources and the locked esbuild, never on the machine or the path.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
const outdir = process.argv[2] ?? 'dist';
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { longshore: 'src/entry.ts' },
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  legalComments: 'none',
  // yargs would look for a package.json from the working directory and print "unknown" elsewhere.
  define: { LONGSHORE_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  logLevel: 'warning',
});
