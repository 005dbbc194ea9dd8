// npm run bench -- digest: build-time layer digesting (longshore) against the archive-ful flow
// (a tarball per store path written into the store, then hashed), on the same ~400 MB closure.
import { execa } from 'execa';
import { openSync, readSync, closeSync, readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { nixBuild, NIX_OPTS } from '../test/helpers/nix.js';
import { pathSize } from '../src/commands/build-layers.js';
import { fixtureExpr, importFixture } from './_fixture.js';
import { humanBytes, table } from '../src/util/human.js';

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/** Bytes of tar archives (ustar magic at 257) under a path. */
function tarBytes(p: string): number {
  const st = lstatSync(p);
  if (st.isDirectory()) return readdirSync(p).reduce((a, n) => a + tarBytes(join(p, n)), 0);
  if (!st.isFile() || st.size < 512) return 0;
  const fd = openSync(p, 'r');
  const buf = Buffer.alloc(6);
  readSync(fd, buf, 0, 6, 257);
  closeSync(fd);
  return buf.toString('latin1').startsWith('ustar') ? st.size : 0;
}

async function closure(p: string): Promise<string[]> {
  const r = await execa('nix-store', ['-qR', p]);
  return r.stdout.split('\n').filter(Boolean);
}

const runs = Number(process.env.BENCH_RUNS ?? 3);
console.error('bench digest: importing the fixture into the store (first run only)…');
await importFixture();
const app = await nixBuild(fixtureExpr('app'));
const paths = await closure(app);
let fixtureBytes = 0;
for (const p of paths) fixtureBytes += pathSize(p);

const rows: string[][] = [['run', 'longshore s', 'archive-ful s']];
const ls: number[] = [];
const af: number[] = [];
let storeTarBytes = 0;
let archivefulTarBytes = 0;
// One untimed warm-up of each so both read from a warm page cache.
for (let i = 0; i <= runs; i++) {
  const nonce = `${Date.now()}-${i}`;
  const l = await timed(() => nixBuild(fixtureExpr('image', { nonce })));
  const a = await timed(() => nixBuild(fixtureExpr('archiveful', { nonce })));
  // What longshore wrote into the store: the image JSON and the layers JSON it references.
  const built = [l.value, ...(await execa('nix-store', ['-q', '--references', l.value])).stdout.split('\n').filter((p) => p.endsWith('.json'))];
  storeTarBytes = built.reduce((s, p) => s + tarBytes(p), 0);
  archivefulTarBytes = tarBytes(a.value);
  await execa('nix-store', ['--delete', a.value, ...NIX_OPTS], { reject: false });
  if (i === 0) continue;
  ls.push(l.seconds);
  af.push(a.seconds);
  rows.push([String(i), l.seconds.toFixed(2), a.seconds.toFixed(2)]);
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const longshoreS = median(ls);
const archivefulS = median(af);
rows.push(['median', longshoreS.toFixed(2), archivefulS.toFixed(2)]);
console.log(`fixture: ${paths.length} store paths, ${humanBytes(fixtureBytes)}; tar bytes written to the store: longshore ${storeTarBytes}, archive-ful ${humanBytes(archivefulTarBytes)}`);
console.log(table(rows));
console.log(
  JSON.stringify({
    bench: 'digest',
    fixture_bytes: fixtureBytes,
    longshore_s: +longshoreS.toFixed(3),
    archiveful_s: +archivefulS.toFixed(3),
    ratio: +(longshoreS / archivefulS).toFixed(3),
    store_tar_bytes: storeTarBytes,
  }),
);
