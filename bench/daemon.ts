// npm run bench -- daemon: loading a ~400 MB image into dockerd and Podman, then reloading it after
// a one-file change, with longshore and (for dockerd) with `skopeo copy oci:… docker-daemon:…`, in
// the same run against the same private daemons. Each reload goes to a new tag, as the Nix
// library's default tags (the image's hash) do.
import { execa } from 'execa';
import { join } from 'node:path';
import { longshore, tmp } from '../test/helpers/nix.js';
import { startDockerd, type CopyJson, type Dockerd } from '../test/helpers/docker.js';
import { makePodman, type Podman } from '../test/helpers/podman.js';
import { buildFixtureImage } from './_fixture.js';
import { humanBytes, table } from '../src/util/human.js';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/** Times fn on a quiet disk: a load leaves its writes to be flushed, and dockerd's own fsyncs then
 * wait behind them, so whatever ran before (skopeo's 400 MB, a cold load) would be timed too. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  await execa('sync');
  const t0 = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

async function copy(image: string, dest: string, env: Record<string, string>): Promise<CopyJson> {
  const r = await longshore(['copy', image, dest, '--json'], env);
  if (r.exitCode !== 0) throw new Error(`longshore copy ${dest} failed:\n${r.all}`);
  return JSON.parse(r.stdout) as CopyJson;
}

async function skopeo(src: string, dest: string, env: Record<string, string>): Promise<void> {
  // skopeo 1.9 ignores DOCKER_HOST for docker-daemon:; it takes the socket as a flag.
  const r = await execa('skopeo', ['copy', '--quiet', '--dest-daemon-host', env.DOCKER_HOST, src, dest], { reject: false, all: true, env });
  if (r.exitCode !== 0) throw new Error(`skopeo copy ${src} ${dest} failed:\n${r.all}`);
}

console.error(`bench daemon: building the fixture image and ${runs} one-file changes…`);
const base = await buildFixtureImage({ change: 'base' });
const changed: string[] = [];
for (let i = 1; i <= runs; i++) changed.push((await buildFixtureImage({ change: `edit ${i}` })).image);

let d: Dockerd | undefined;
let p: Podman | undefined;
try {
  console.error('bench daemon: starting a private dockerd and Podman service…');
  [d, p] = await Promise.all([startDockerd(), makePodman()]);
  const podHost = await p.startService();
  const dEnv = d.env;
  const pEnv = { ...p.env, CONTAINER_HOST: podHost };

  // skopeo reads an OCI layout: write every variant there first (untimed).
  const layout = join(tmp('longshore-bench-oci-'), 'layout');
  await copy(base.image, `oci:${layout}:base`, {});
  for (let i = 0; i < runs; i++) await copy(changed[i], `oci:${layout}:edit${i + 1}`, {});

  // Cold loads each go into a daemon without the fixture's layers: dockerd skips registering a
  // layer it already has, so whichever went second would be timed on a warm daemon.
  const lsCold = await timed(() => copy(base.image, 'docker-daemon:fixture:base', dEnv));
  await d.docker(['rmi', 'fixture:base']);
  const skCold = await timed(() => skopeo(`oci:${layout}:base`, 'docker-daemon:skopeo-fixture:base', dEnv));
  await copy(base.image, 'docker-daemon:fixture:base', dEnv);
  const cold = { longshore: lsCold, skopeo: skCold, podman: await timed(() => copy(base.image, 'podman:fixture:base', pEnv)) };
  const imageBytes = cold.longshore.value.layers.reduce((a, l) => a + l.size, 0);

  const reload = { longshore: [] as number[], skopeo: [] as number[], podman: [] as number[] };
  let longshoreBytes = 0;
  let podmanBytes = 0;
  const rows: string[][] = [['run', 'longshore→dockerd s', 'sent', 'skopeo→dockerd s', 'longshore→podman s', 'sent']];
  for (let i = 0; i < runs; i++) {
    const tag = `edit${i + 1}`;
    const l = await timed(() => copy(changed[i], `docker-daemon:fixture:${tag}`, dEnv));
    const s = await timed(() => skopeo(`oci:${layout}:${tag}`, `docker-daemon:skopeo-fixture:${tag}`, dEnv));
    const q = await timed(() => copy(changed[i], `podman:fixture:${tag}`, pEnv));
    reload.longshore.push(l.seconds);
    reload.skopeo.push(s.seconds);
    reload.podman.push(q.seconds);
    longshoreBytes = l.value.bytesSent;
    podmanBytes = q.value.bytesSent;
    rows.push([String(i + 1), l.seconds.toFixed(2), humanBytes(l.value.bytesSent), s.seconds.toFixed(2), q.seconds.toFixed(2), humanBytes(q.value.bytesSent)]);
  }
  const same = await timed(() => copy(changed[runs - 1], 'docker-daemon:fixture:same', dEnv));
  const ls = median(reload.longshore);
  const sk = median(reload.skopeo);
  const pm = median(reload.podman);
  rows.push(['median', ls.toFixed(2), humanBytes(longshoreBytes), sk.toFixed(2), pm.toFixed(2), humanBytes(podmanBytes)]);

  console.log(`fixture: ${cold.longshore.value.layers.length} layers, ${humanBytes(imageBytes)}`);
  console.log(
    table([
      ['cold load', 'seconds'],
      ['longshore → dockerd', cold.longshore.seconds.toFixed(2)],
      ['skopeo → dockerd', cold.skopeo.seconds.toFixed(2)],
      ['longshore → podman', cold.podman.seconds.toFixed(2)],
      ['longshore → dockerd, image already loaded', `${same.seconds.toFixed(2)} (${humanBytes(same.value.bytesSent)} sent)`],
    ]),
  );
  console.log('reload after a one-file change:');
  console.log(table(rows));
  console.log(
    `image ${imageBytes} B; docker cold ${cold.longshore.seconds.toFixed(2)} s vs skopeo ${cold.skopeo.seconds.toFixed(2)} s; ` +
      `docker reload ${ls.toFixed(2)} s (${longshoreBytes} B sent) vs skopeo ${sk.toFixed(2)} s; podman reload ${pm.toFixed(2)} s (${podmanBytes} B sent)`,
  );
  console.log(JSON.stringify({ bench: 'daemon', docker_reload_ratio_vs_skopeo: +(ls / sk).toFixed(3), podman_reload_s: +pm.toFixed(3) }));
} finally {
  await p?.stop();
  await d?.stop();
}
