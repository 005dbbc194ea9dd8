// npm run bench -- push: cold push vs skopeo (fresh registries), re-push after a one-file change
// with a fresh HOME, and peak RSS while pushing one 2 GB layer. Last line: one JSON object.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildFixtureImage } from './_fixture.js';
import { CLI, nixBuild, tmp } from '../tests/helpers/nix.js';
import { startRegistry } from '../tests/helpers/registry.js';

const BLOB_INFO_CACHES = ['/var/lib/containers/cache', join(process.env.HOME ?? '/root', '.local/share/containers/cache')];

function freshEnv(): Record<string, string> {
  const home = tmp('longshore-bench-home-');
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_RUNTIME_DIR: join(home, 'run'), DOCKER_CONFIG: join(home, '.docker') };
}

async function timed(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ s: number; stdout: string; stderr: string }> {
  const t0 = performance.now();
  const r = await execa(cmd, args, { env: { ...process.env, ...env } });
  return { s: (performance.now() - t0) / 1000, stdout: r.stdout, stderr: r.stderr };
}

const lsPush = (image: string, ref: string, extra: string[] = []) => timed(process.execPath, [CLI, 'copy', image, `docker://${ref}`, '--json', ...extra], freshEnv());

console.error('bench push: building the fixture images (first run imports ~400 MB into the store)…');
const base = await buildFixtureImage({ change: '' });
const changed = await buildFixtureImage({ change: 'push bench: one file changed' });

// The same image as an OCI layout for skopeo.
const layout = tmp('longshore-bench-oci-');
await execa(process.execPath, [CLI, 'copy', base.image, `oci:${layout}:fixture`, '-q']);

const rows: [string, string][] = [];

// Cold longshore push to a fresh registry.
let reg = await startRegistry();
const cold = await lsPush(base.image, `${reg.host}/fixture:v1`, ['--jobs', '4']);
const coldJson = JSON.parse(cold.stdout) as { bytesSent: number; layers: unknown[] };
rows.push(['longshore cold push', `${cold.s.toFixed(2)} s, ${(coldJson.bytesSent / 1e6).toFixed(0)} MB in ${coldJson.layers.length} layers (uncompressed)`]);

// Re-push after a one-file change, fresh HOME, same registry.
const re = await lsPush(changed.image, `${reg.host}/fixture:v1`);
const reJson = JSON.parse(re.stdout) as { bytesSent: number; seconds: number; layers: { action: string }[] };
rows.push(['longshore re-push, one file changed', `${re.s.toFixed(3)} s wall (process start to exit; ${reJson.seconds.toFixed(3)} s of it pushing), ${reJson.bytesSent} bytes sent, ${reJson.layers.filter((l) => l.action === 'skipped').length}/${reJson.layers.length} layers skipped`]);
const noop = await lsPush(changed.image, `${reg.host}/fixture:v1`);
rows.push(['longshore re-push, nothing changed', `${noop.s.toFixed(3)} s wall (${(JSON.parse(noop.stdout) as { seconds: number }).seconds.toFixed(3)} s pushing)`]);
const startup = await timed(process.execPath, [CLI, '--version']);
rows.push(['longshore --version (process start only)', `${startup.s.toFixed(3)} s`]);
await reg.stop();

// Cold skopeo push of the same image from the OCI layout (it gzips layers for docker://).
reg = await startRegistry();
for (const d of BLOB_INFO_CACHES) rmSync(d, { recursive: true, force: true });
const sk = await timed('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layout}:fixture`, `docker://${reg.host}/fixture:v1`], freshEnv());
const du = await execa('du', ['-sb', join(reg.dir, 'data')]);
rows.push(['skopeo copy oci: → docker:// cold', `${sk.s.toFixed(2)} s, registry holds ${(Number(du.stdout.split('\t')[0]) / 1e6).toFixed(0)} MB (gzip)`]);
await reg.stop();
const ratio = cold.s / sk.s;
rows.push(['cold ratio longshore/skopeo', ratio.toFixed(2)]);

// Peak RSS pushing a single 2 GB layer.
console.error('bench push: building a 2 GB single-layer image…');
const big = await nixBuild(`let big = pkgs.runCommand "push-bench-2g" {} ''
  mkdir -p $out
  dd if=/dev/urandom of=$out/blob bs=1M count=2048 2>/dev/null
''; in longshore.buildImage { name = "big"; config.entrypoint = [ "\${big}/blob" ]; }`);
reg = await startRegistry();
const rss = await timed('/usr/bin/time', ['-f', '%M', process.execPath, CLI, 'copy', big, `docker://${reg.host}/big:v1`, '-q'], freshEnv());
const rssMb = Number(rss.stderr.trim().split('\n').pop()) / 1024;
rows.push(['2 GB layer push', `${rss.s.toFixed(2)} s, peak RSS ${rssMb.toFixed(0)} MB`]);
await reg.stop();

const w = Math.max(...rows.map((r) => r[0].length));
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
console.log(JSON.stringify({ bench: 'push', cold_ratio_vs_skopeo: Number(ratio.toFixed(3)), repush_s: Number(re.s.toFixed(3)), rss_2g_mb: Math.round(rssMb) }));
