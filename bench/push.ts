// npm run bench -- push: cold pushes to fresh registries on loopback (longshore with gzip, its
// default for docker://, and with --compression none for reference, against skopeo's gzip), the
// re-push after a one-file change with a fresh HOME, and peak RSS while pushing one 2 GB layer.
// Last line: one JSON object.
import { rmSync } from 'node:fs';
import { execa } from 'execa';
import assert from 'node:assert/strict';
import { buildFixtureImage } from './_fixture.js';
import { lsPush, median, printTable, skopeoPush, storedBytes, timed, freshEnv, uptime, type CopyJson } from './_push-common.js';
import { LAUNCHER, nixBuild, tmp } from '../test/helpers/nix.js';
import { startRegistry } from '../test/helpers/registry.js';

console.error(`bench push: ${await uptime()}`);
console.error('bench push: building the fixture images (first run imports ~400 MB into the store)…');
const base = await buildFixtureImage({ change: '' });
// Five successive one-file changes: each re-push is timed once, and the median reported.
const REPUSHES = 5;
const changes = [];
for (let i = 1; i <= REPUSHES; i++) changes.push(await buildFixtureImage({ change: `push bench: one file changed (${i})` }));

// The same image as an OCI layout for skopeo, uncompressed as the store holds it (untimed).
const layout = tmp('longshore-bench-oci-');
await execa(LAUNCHER, ['copy', base.image, `oci:${layout}:fixture`, '--compression', 'none', '-q']);

const rows: [string, string][] = [];

// Cold pushes, each to a fresh registry, median of 3 (the machine is shared, single runs are
// noisy), in rounds of the three so that a change of load falls on all of them.
// CPU seconds (user + sys) beside each: on this shared machine wall times move with other
// people's load, CPU times much less.
const gzip: { s: number; cpu?: number; json: CopyJson }[] = [];
const none: { s: number; cpu?: number; json: CopyJson }[] = [];
const sko: { s: number; cpu?: number; stored: number }[] = [];
for (let i = 0; i < 3; i++) {
  console.error(`bench push: cold round ${i + 1}/3: ${await uptime()}`);
  await execa('sync');
  let r = await startRegistry();
  const g = await lsPush(base.image, `${r.host}/fixture:v1`, ['--compression', 'gzip'], { cpu: true });
  assert.equal(g.json.compression, 'gzip');
  gzip.push(g);
  await r.stop();
  r = await startRegistry();
  const n = await lsPush(base.image, `${r.host}/fixture:v1`, ['--compression', 'none'], { cpu: true });
  assert.equal(n.json.compression, 'none');
  none.push(n);
  await r.stop();
  r = await startRegistry();
  const k = await skopeoPush(`${layout}:fixture`, `${r.host}/fixture:v1`, { cpu: true });
  sko.push({ s: k.s, cpu: k.cpu, stored: await storedBytes(r.dir) });
  await r.stop();
}
const list = (xs: { s: number }[], d = 2) => `[${xs.map((x) => x.s.toFixed(d)).join(', ')}]`;
const cpuOf = (xs: { cpu?: number }[]) => median(xs.map((x) => x.cpu!));
const cpuList = (xs: { cpu?: number }[]) => `${cpuOf(xs).toFixed(2)} s CPU [${xs.map((x) => x.cpu!.toFixed(2)).join(', ')}]`;
const mb = (n: number) => (n / 1e6).toFixed(0);
const coldGzip = median(gzip.map((x) => x.s));
const coldNone = median(none.map((x) => x.s));
const skCold = median(sko.map((x) => x.s));
const gz = gzip[0].json;
rows.push([
  'longshore cold push, gzip (default level; median of 3)',
  `${coldGzip.toFixed(2)} s ${list(gzip)}, ${cpuList(gzip)}, ${mb(gz.bytesSent)} MB in ${gz.layers.length} layers, ${gz.layers.filter((l) => l.compressed).length} compressed on the way`,
]);
rows.push(['skopeo copy oci: → docker:// cold, gzip (median of 3)', `${skCold.toFixed(2)} s ${list(sko)}, ${cpuList(sko)}, registry holds ${mb(sko[sko.length - 1].stored)} MB`]);
rows.push(['cold ratio longshore gzip / skopeo', `${(coldGzip / skCold).toFixed(3)} (CPU time: ${(cpuOf(gzip) / cpuOf(sko)).toFixed(3)})`]);
rows.push(['longshore cold push, --compression none (median of 3)', `${coldNone.toFixed(2)} s ${list(none)}, ${cpuList(none)}, ${mb(none[0].json.bytesSent)} MB uncompressed; ratio to skopeo ${(coldNone / skCold).toFixed(3)}`]);

// Re-push after a one-file change, fresh HOME, same registry and tag (default compression, gzip).
// The pushes above left hundreds of MB of dirty pages: flush them first, so that their writeback
// does not land in the timed runs.
const reg = await startRegistry();
await lsPush(base.image, `${reg.host}/fixture:v1`);
await execa('sync');
const reRuns: { s: number; json: CopyJson }[] = [];
for (const c of changes) reRuns.push(await lsPush(c.image, `${reg.host}/fixture:v1`));
const re = [...reRuns].sort((a, b) => a.s - b.s)[REPUSHES >> 1];
const reJson = re.json;
rows.push([
  `longshore re-push, one file changed (median of ${REPUSHES})`,
  `${re.s.toFixed(3)} s wall ${list(reRuns, 3)} (process start to exit; ${reJson.seconds.toFixed(3)} s of it pushing), ${reJson.bytesSent} bytes sent, ${reJson.layers.filter((l) => l.action === 'skipped').length}/${reJson.layers.length} layers skipped, ${reJson.layers.filter((l) => l.compressed).length} compressed`,
]);
const noop = await lsPush(changes[changes.length - 1].image, `${reg.host}/fixture:v1`);
rows.push(['longshore re-push, nothing changed', `${noop.s.toFixed(3)} s wall (${noop.json.seconds.toFixed(3)} s pushing)`]);
const startup = await timed(LAUNCHER, ['--version']);
rows.push(['longshore --version (process start only)', `${startup.s.toFixed(3)} s`]);
await reg.stop();

// Peak RSS pushing a single 2 GB layer (default compression, gzip; random bytes do not compress).
console.error(`bench push: building a 2 GB single-layer image… ${await uptime()}`);
const big = await nixBuild(`let big = pkgs.runCommand "push-bench-2g" {} ''
  mkdir -p $out
  dd if=/dev/urandom of=$out/blob bs=1M count=2048 2>/dev/null
''; in longshore.buildImage { name = "big"; config.entrypoint = [ "\${big}/blob" ]; }`);
const bigReg = await startRegistry();
const rss = await timed('/usr/bin/time', ['-f', '%M %U %S', LAUNCHER, 'copy', big, `docker://${bigReg.host}/big:v1`, '-q'], freshEnv());
const [maxKb, user, sys] = rss.stderr.trim().split('\n').pop()!.split(' ').map(Number);
const rssMb = maxKb / 1024;
rows.push(['2 GB layer push (gzip)', `${rss.s.toFixed(2)} s, ${(user + sys).toFixed(1)} s CPU, peak RSS ${rssMb.toFixed(0)} MB, registry holds ${mb(await storedBytes(bigReg.dir))} MB`]);
await bigReg.stop();
rmSync(layout, { recursive: true, force: true });
console.error(`bench push: done: ${await uptime()}`);

printTable(rows);
console.log(
  JSON.stringify({
    bench: 'push',
    cold_gzip_s: Number(coldGzip.toFixed(3)),
    skopeo_cold_s: Number(skCold.toFixed(3)),
    cold_ratio_vs_skopeo: Number((coldGzip / skCold).toFixed(3)),
    cold_none_s: Number(coldNone.toFixed(3)),
    cold_none_ratio_vs_skopeo: Number((coldNone / skCold).toFixed(3)),
    cold_gzip_cpu_s: Number(cpuOf(gzip).toFixed(2)),
    skopeo_cold_cpu_s: Number(cpuOf(sko).toFixed(2)),
    repush_s: Number(re.s.toFixed(3)),
    rss_2g_mb: Math.round(rssMb),
  }),
);
