// npm run bench -- link: pushing the bench fixture over an uplink throttled to 100 Mbit/s (issue 13,
// item 7). A throttling TCP proxy (bench/_throttle.ts) stands in front of a fresh real registry for
// each measured push; the tools push to the proxy's port, and the registry's Locations (built from
// the Host header, which the proxy passes through) send every upload back through it.
//
// - cold pushes to an empty registry: longshore (default gzip), skopeo from an OCI layout (its
//   default gzip; blob-info cache removed first), longshore with --compression zstd; interleaved, a
//   round of the three at a time, median of LINK_ROUNDS (3);
// - bytes on the wire: client→server TCP payload through the proxy (HTTP headers and bodies);
// - on the registry the last gzip cold push filled, a one-file change pushed to a new tag from a
//   fresh HOME (no local cache: what is already there is learnt from the registry), median of
//   LINK_REPUSHES (5), each a new change and a new tag: wall time from process start to exit, and
//   how many layers it compressed.
// Only the uplink is limited; the downlink (answers, manifests, the blob record) is counted but
// not limited. No latency is added: the link is loopback's round trips at 100 Mbit/s.
// Last line: one JSON object.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { execa } from 'execa';
import { buildFixtureImage } from './_fixture.js';
import { lsPush, median, printTable, skopeoPush, storedBytes, uptime, type CopyJson } from './_push-common.js';
import { startThrottleProxy, type Counters } from './_throttle.js';
import { LAUNCHER, tmp } from '../test/helpers/nix.js';
import { startRegistry, type Registry } from '../test/helpers/registry.js';

const MBIT = Number(process.env.LINK_MBIT ?? 100);
const ROUNDS = Number(process.env.LINK_ROUNDS ?? 3);
const REPUSHES = Number(process.env.LINK_REPUSHES ?? 5);
const RATE = (MBIT * 1e6) / 8; // bytes per second

console.error(`bench link: ${await uptime()}`);
console.error('bench link: building the fixture images (first run imports ~400 MB into the store)…');
const base = await buildFixtureImage({ change: '' });
const changes: string[] = [];
for (let i = 1; i <= REPUSHES; i++) changes.push((await buildFixtureImage({ change: `link bench: one file changed (${i})` })).image);

// The same image as an OCI layout for skopeo, uncompressed as the Nix store holds it (untimed).
const layout = tmp('longshore-bench-oci-');
await execa(LAUNCHER, ['copy', base.image, `oci:${layout}:fixture`, '--compression', 'none', '-q']);

interface LinkRun {
  s: number;
  up: number;
  down: number;
  connections: number;
  /** The fewest seconds the link allows for these bytes. */
  floor: number;
  /** 100 ms windows, from the first to the last that carried bytes, with under half the rate. */
  slack: number;
  /** Seconds from the push's start to the first 100 ms window with at least half the rate. */
  busyFrom: number;
  json?: CopyJson;
  stored?: number;
}

/** Runs one push through a throttled proxy in front of `reg`; the proxy is started for it and stopped after. */
async function overLink(reg: Registry, push: (host: string) => Promise<{ s: number; json?: CopyJson }>): Promise<LinkRun> {
  const proxy = await startThrottleProxy(reg.port, { upMbit: MBIT });
  try {
    const r = await push(proxy.host);
    const c: Counters = proxy.counters;
    const w = c.upWindows;
    const first = w.findIndex((b) => b > 0);
    const last = w.length - 1;
    const half = (RATE / 10) * 0.5;
    const slack = first < 0 ? 0 : w.slice(first, last).filter((b) => b < half).length;
    const busyFrom = Math.max(0, w.findIndex((b) => b >= half)) / 10;
    return { s: r.s, json: r.json, up: c.up, down: c.down, connections: c.connections, floor: c.up / RATE, slack, busyFrom };
  } finally {
    await proxy.stop();
  }
}

const gzip: LinkRun[] = [];
const skopeo: LinkRun[] = [];
const zstd: LinkRun[] = [];
let filled: Registry | undefined;

for (let round = 0; round < ROUNDS; round++) {
  console.error(`bench link: round ${round + 1}/${ROUNDS}: ${await uptime()}`);
  await execa('sync'); // the previous round's registry writes are not timed here

  let reg = await startRegistry();
  const g = await overLink(reg, (host) => lsPush(base.image, `${host}/fixture:v1`));
  assert.equal(g.json!.compression, 'gzip');
  assert.ok(g.json!.layers.every((l) => l.compressed), 'a cold push compresses every layer');
  // Every upload went through the proxy (Locations pointed at it): the wire carried at least the blobs.
  assert.ok(g.up >= g.json!.bytesSent, `only ${g.up} bytes through the proxy for ${g.json!.bytesSent} bytes sent`);
  gzip.push(g);
  if (round === ROUNDS - 1) filled = reg;
  else await reg.stop();

  reg = await startRegistry();
  const k = await overLink(reg, (host) => skopeoPush(`${layout}:fixture`, `${host}/fixture:v1`));
  k.stored = await storedBytes(reg.dir);
  assert.ok(k.up >= 0.95 * k.stored, `only ${k.up} bytes through the proxy for ${k.stored} bytes stored`);
  skopeo.push(k);
  await reg.stop();

  reg = await startRegistry();
  const z = await overLink(reg, (host) => lsPush(base.image, `${host}/fixture:v1`, ['--compression', 'zstd']));
  assert.equal(z.json!.compression, 'zstd');
  assert.ok(z.up >= z.json!.bytesSent);
  zstd.push(z);
  await reg.stop();
}

// One-file changes to new tags, from fresh HOMEs, on the registry the last gzip cold push filled.
console.error(`bench link: re-pushes: ${await uptime()}`);
await execa('sync');
const repush: LinkRun[] = [];
for (let i = 0; i < REPUSHES; i++) repush.push(await overLink(filled!, (host) => lsPush(changes[i], `${host}/fixture:change-${i + 1}`)));
await filled!.stop();
rmSync(layout, { recursive: true, force: true });
console.error(`bench link: done: ${await uptime()}`);

const mid = (runs: LinkRun[]): LinkRun => [...runs].sort((a, b) => a.s - b.s)[Math.floor(runs.length / 2)];
const mb = (n: number) => (n / 1e6).toFixed(1);
const list = (runs: LinkRun[], d = 2) => `[${runs.map((r) => r.s.toFixed(d)).join(', ')}]`;
const compressedIn = (r: LinkRun) => r.json!.layers.filter((l) => l.compressed).length;
const cold = (runs: LinkRun[]) => {
  const m = mid(runs);
  return `${m.s.toFixed(2)} s ${list(runs)}; ${mb(m.up)} MB up, ${(m.down / 1e3).toFixed(0)} kB down, ${m.connections} connections; link floor ${m.floor.toFixed(2)} s, +${(m.s - m.floor).toFixed(2)} s over it; link busy from ${m.busyFrom.toFixed(1)} s, then ${m.slack} 100 ms windows under half the rate`;
};

const g = mid(gzip);
const k = mid(skopeo);
const z = mid(zstd);
const r = mid(repush);
const rows: [string, string][] = [
  [`uplink`, `${MBIT} Mbit/s (${(RATE / 1e6).toFixed(1)} MB/s), shared by all connections; downlink not limited; no added latency`],
  [`longshore cold push, gzip (median of ${gzip.length})`, cold(gzip)],
  [`  its blobs`, `${mb(g.json!.bytesSent)} MB in ${g.json!.layers.length} layers, ${g.json!.layers.filter((l) => l.compressed).length} compressed on the way`],
  [`skopeo copy oci: → docker:// cold (median of ${skopeo.length})`, `${cold(skopeo)}; registry holds ${mb(k.stored!)} MB`],
  [`longshore cold push, zstd (median of ${zstd.length})`, `${cold(zstd)}; ${mb(z.json!.bytesSent)} MB of blobs`],
  [`cold ratio longshore gzip / skopeo`, (g.s / k.s).toFixed(3)],
  [`cold ratio longshore zstd / skopeo`, (z.s / k.s).toFixed(3)],
  [`wire bytes longshore gzip / skopeo`, `${(g.up / k.up).toFixed(4)} (${g.up} / ${k.up})`],
  [
    `re-push, one file changed, new tag, fresh HOME (median of ${repush.length})`,
    `${r.s.toFixed(3)} s wall ${list(repush, 3)} (process start to exit; ${r.json!.seconds.toFixed(3)} s of it pushing); layers compressed ${repush.map(compressedIn).join(', ')}; ${r.up} bytes up, ${r.down} bytes down, ${r.json!.layers.filter((l) => l.action === 'skipped').length}/${r.json!.layers.length} layers skipped`,
  ],
];
printTable(rows);
console.log(
  JSON.stringify({
    bench: 'link',
    mbit: MBIT,
    cold_s: Number(g.s.toFixed(3)),
    skopeo_cold_s: Number(k.s.toFixed(3)),
    cold_ratio_vs_skopeo: Number((g.s / k.s).toFixed(3)),
    wire_bytes: g.up,
    skopeo_wire_bytes: k.up,
    zstd_cold_s: Number(z.s.toFixed(3)),
    repush_new_tag_s: Number(r.s.toFixed(3)),
    // The most any of the re-pushes compressed (each is listed in the table).
    repush_layers_compressed: Math.max(...repush.map(compressedIn)),
  }),
);
