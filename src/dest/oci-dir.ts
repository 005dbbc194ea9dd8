// oci:DIR[:TAG] — an OCI image layout directory, written blob by blob with nothing half-written.
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { BlobBytes, LayerBlob, ResolvedImage } from '../image/model.js';
import { digestHex } from '../util/digest.js';
import { UserError } from '../util/errors.js';
import { runLimited } from '../util/limit.js';
import { fileError, writeAtomically } from '../util/atomic.js';
import type { CopyContext, CopyResult, Destination, LayerOutcome } from './types.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

interface IndexFile {
  schemaVersion: 2;
  mediaType?: string;
  manifests: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[];
}

async function exists(file: string, size: number): Promise<boolean> {
  try {
    return (await stat(file)).size === size;
  } catch {
    return false;
  }
}

export class OciDirDestination implements Destination {
  readonly description: string;
  constructor(readonly dir: string, readonly tag: string | undefined) {
    this.description = `oci:${dir}${tag ? ':' + tag : ''}`;
  }

  private blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', digestHex(digest));
  }

  private async putBytes(b: BlobBytes): Promise<void> {
    const file = this.blobPath(b.digest);
    if (await exists(file, b.size)) return;
    await writeAtomically(file, (tmp) => writeFile(tmp, b.bytes));
  }

  private async putLayer(l: LayerBlob, ctx: CopyContext): Promise<LayerOutcome> {
    const file = this.blobPath(l.digest);
    const p = ctx.progress.layer(l.digest, l.size);
    if (await exists(file, l.size)) {
      p.done('skipped (already in layout)');
      return { digest: l.digest, size: l.size, action: 'skipped', bytesSent: 0 };
    }
    p.state('writing');
    let sent = 0;
    const count = new Transform({
      transform(chunk: Buffer, _e, cb) {
        sent += chunk.length;
        p.bytes(chunk.length);
        cb(null, chunk);
      },
    });
    await writeAtomically(file, (tmp) => pipeline(l.open(), count, createWriteStream(tmp)));
    p.done('written');
    return { digest: l.digest, size: l.size, action: 'written', bytesSent: sent };
  }

  async copy(image: ResolvedImage, ctx: CopyContext): Promise<CopyResult> {
    const start = Date.now();
    const tag = this.tag ?? image.tag;
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true }).catch((e: unknown) => {
      throw fileError(e, this.dir, 'creating');
    });
    const outcomes = await runLimited(image.layers, ctx.jobs, (l) => this.putLayer(l, ctx));
    await this.putBytes(image.config);
    await this.putBytes(image.manifest);
    const layoutFile = join(this.dir, 'oci-layout');
    await writeFile(layoutFile, JSON.stringify({ imageLayoutVersion: '1.0.0' })).catch((e: unknown) => {
      throw fileError(e, layoutFile);
    });
    // The index moves last, once every blob it points to is in place.
    const indexFile = join(this.dir, 'index.json');
    let index: IndexFile = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] };
    try {
      index = JSON.parse(await readFile(indexFile, 'utf8')) as IndexFile;
      if (!Array.isArray(index.manifests)) throw new Error('no "manifests" list');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`${indexFile}: not an OCI index: ${(e as Error).message}`);
    }
    const entry = {
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
      ...(tag ? { annotations: { [REF_NAME]: tag } } : {}),
    };
    index.manifests = index.manifests.filter((m) => (tag ? m.annotations?.[REF_NAME] !== tag : m.digest !== entry.digest));
    index.manifests.push(entry);
    await writeAtomically(indexFile, (tmp) => writeFile(tmp, JSON.stringify(index)));
    const bytesSent = outcomes.reduce((a, o) => a + o.bytesSent, 0);
    return {
      destination: this.description,
      reference: `oci:${this.dir}${tag ? ':' + tag : ''}`,
      manifestDigest: image.manifest.digest,
      layers: outcomes,
      bytesSent,
      seconds: (Date.now() - start) / 1000,
    };
  }
}
