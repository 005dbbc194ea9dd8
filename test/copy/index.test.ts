// The copy flow of an image index, against a destination that records the steps it is asked for:
// 'all' destinations get every image (each committed before the next starts) and the index last;
// 'one' destinations get the image of their platform, or --platform's; none is an error naming
// the platforms the index has.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { copyIndex } from '../../src/copy/copy.js';
import type { Blob, Capabilities, Committed, CopyTarget, ImageDestination } from '../../src/copy/types.js';
import { resolveIndex, type BlobBytes, type ResolvedImage, type ResolvedIndex } from '../../src/image/model.js';
import { FORMAT_VERSION, imagePlatform, type ImageFile } from '../../src/image/schema.js';
import type { Platform } from '../../src/image/platform.js';
import { sha256 } from '../../src/util/digest.js';
import { silentProgress } from '../../src/util/progress.js';
import { UserError } from '../../src/util/errors.js';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'longshore-copy-index-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** A layer whose bytes are a file (as a base image's are): no tar writer needed. */
function layer(content: string) {
  const bytes = Buffer.from(content);
  const file = join(dir, sha256(bytes).slice(7));
  writeFileSync(file, bytes);
  return { mediaType: GZIP, digest: sha256(bytes), size: bytes.length, diffID: sha256(Buffer.from(content + 'tar')), paths: [], copyToRoot: [], perms: [], entries: [], history: {}, blob: file };
}
const image = (arch: string, layers: ReturnType<typeof layer>[]): ImageFile => ({ version: FORMAT_VERSION, name: 'app', arch, os: 'linux', created: 'T', config: { Cmd: [arch] }, layers });

function index(): ResolvedIndex {
  const shared = layer('shared base');
  const files = [image('amd64', [shared, layer('amd64 app')]), image('arm64', [shared, layer('arm64 app')])];
  return resolveIndex(join(dir, 'ix.json'), { file: { version: 1, kind: 'longshore-image-index', name: 'app', tag: 'v1', images: ['a', 'b'] }, images: files.map((f, i) => ({ path: `${dir}/${i}`, file: f, platform: imagePlatform(f) })) }, { tarWriter: () => Promise.reject(new Error('unused')) });
}

const caps = (index: 'all' | 'one'): Capabilities => ({ reuse: 'probe', serial: false, putAction: 'written', configBeside: false, compressions: ['none', 'gzip'], defaultCompression: 'none', followsImageCompression: false, needsSizeFirst: false, index });

/** Records the steps; holds nothing, so every blob is put. */
class Recorder implements ImageDestination {
  readonly description = 'test:';
  readonly steps: string[] = [];
  readonly capabilities: Capabilities;
  constructor(
    kind: 'all' | 'one',
    private readonly own?: Platform,
  ) {
    this.capabilities = caps(kind);
  }
  async open(t: CopyTarget) {
    this.steps.push(`open ${'images' in t ? 'index' : 'image'}`);
    return {};
  }
  async tryReuseBlob() {
    return undefined;
  }
  async putBlob(b: Blob) {
    const s = b.open();
    await pipeline(s, new Writable({ write: (_c, _e, cb) => cb() }));
    this.steps.push(`put ${b.kind} ${b.digest}`);
    return s.measured;
  }
  async commit(i: ResolvedImage, m: BlobBytes): Promise<Committed> {
    this.steps.push(`commit ${i.platform.architecture} ${m.digest}`);
    return { reference: 'ref', manifestDigest: m.digest };
  }
  async commitChild(i: ResolvedImage, m: BlobBytes) {
    this.steps.push(`child ${i.platform.architecture} ${m.digest}`);
  }
  async commitIndex(_i: ResolvedIndex, b: BlobBytes): Promise<Committed> {
    this.steps.push(`index ${b.digest}`);
    return { reference: 'ref' };
  }
  async platform() {
    return this.own!;
  }
  async close() {}
}

const opts = { progress: silentProgress, jobs: 2 };

test("'all': every image, each committed before the next; a shared layer travels once; the index last", async () => {
  const ix = index();
  const d = new Recorder('all');
  const r = await copyIndex(ix, d, opts);
  const [amd, arm] = ix.images;
  const order = d.steps.map((s) => s.split(' ').slice(0, 2).join(' '));
  assert.deepEqual(order, ['open index', 'put layer', 'put layer', 'put config', 'child amd64', 'put layer', 'put config', 'child arm64', 'index sha256:' + ix.index.digest.slice(7)]);
  assert.ok(d.steps.includes(`child amd64 ${amd.manifest.digest}`) && d.steps.includes(`child arm64 ${arm.manifest.digest}`));
  assert.equal(d.steps.filter((s) => s === `put layer ${amd.layers[0].digest}`).length, 1, 'the shared layer is put once');
  assert.equal(r.manifestDigest, ix.index.digest);
  assert.deepEqual(r.images!.map((i) => i.platform), ['linux/amd64', 'linux/arm64']);
  assert.equal(r.layers.length, 4);
});

test("'one': the image for the destination's platform, or --platform's; the same for 'all' with --platform", async () => {
  const ix = index();
  const d = new Recorder('one', { os: 'linux', architecture: 'arm64', variant: 'v8' });
  const r = await copyIndex(ix, d, opts);
  assert.equal(r.platform, 'linux/arm64');
  assert.ok(d.steps.includes(`commit arm64 ${ix.images[1].manifest.digest}`), d.steps.join('\n'));
  const d2 = new Recorder('one', { os: 'linux', architecture: 'arm64' });
  assert.equal((await copyIndex(ix, d2, { ...opts, platform: { os: 'linux', architecture: 'amd64' } })).platform, 'linux/amd64');
  const d3 = new Recorder('all');
  await copyIndex(ix, d3, { ...opts, platform: { os: 'linux', architecture: 'amd64' } });
  assert.deepEqual(d3.steps.filter((s) => !s.startsWith('put')), ['open image', `commit amd64 ${ix.images[0].manifest.digest}`]);
});

test("'one' without an image for its platform: PLATFORM_MISMATCH naming the index's platforms; nothing opened", async () => {
  const d = new Recorder('one', { os: 'linux', architecture: 's390x' });
  await assert.rejects(copyIndex(index(), d, opts), (e: unknown) => {
    assert.ok(e instanceof UserError && e.code === 'PLATFORM_MISMATCH');
    assert.match(e.message, /\(an image index\) has no image for linux\/s390x; it has linux\/amd64, linux\/arm64$/);
    return true;
  });
  assert.deepEqual(d.steps, []);
});
