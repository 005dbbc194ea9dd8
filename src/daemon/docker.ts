// Docker's Engine API as a daemon backend. Its load is opened before anything else (the archive's
// fixed first bytes go out before /_ping), so that dockerd's unpacker starts while we work out
// what to send. What its loader can skip depends on its image store (classic or containerd).
import { Readable } from 'node:stream';
import { isDockerHub, parseName } from '../reference/reference.js';
import type { ConnectBackend, ConnectOptions, DaemonBackend, DaemonImage } from './backend.js';
import { DockerApi, dockerEndpoint, EarlyLoadRefused, type ImageStore, type PendingLoad } from './docker-api.js';
import type { ListedImage, SkipRule } from './layers.js';
import { ociArchitecture, type Platform } from '../image/platform.js';

export class DockerBackend implements DaemonBackend {
  readonly archiveFormat = 'docker' as const;
  readonly namesFromArchive = true;
  readonly label: string;
  private readonly api = new DockerApi(dockerEndpoint());
  /** The load opened early, until load() takes it. */
  private early: PendingLoad | undefined;
  private head: Buffer | undefined;
  headSent = false;
  /** GET /info's answer, asked once, when first needed. */
  private store: Promise<ImageStore | undefined> | undefined;

  constructor() {
    this.label = `the Docker daemon at ${this.api.client.endpoint.display}`;
  }

  /** Opens the early load (with opts.head) and negotiates the API version. */
  async connect(opts: ConnectOptions): Promise<void> {
    if (opts.head) {
      this.head = opts.head;
      this.early = this.api.beginLoad(opts.head);
      this.headSent = true;
    }
    await this.api.negotiate();
  }

  /**
   * The image store, or undefined when GET /info failed: then the classic rule, whose archives the
   * containerd store takes too (it only leaves out layers it also holds as snapshots).
   */
  private imageStore(): Promise<ImageStore | undefined> {
    return (this.store ??= this.api.imageStore().then(
      (store) => {
        this.api.client.note(`image store: ${store}`);
        return store;
      },
      (e: unknown) => {
        this.api.client.note(`GET /info failed (${(e as Error).message}); assuming the classic image store`);
        return undefined;
      },
    ));
  }

  /**
   * The classic loader (overlay2 and the other graphdrivers) skips a layer file whose ChainID its
   * layer store holds. The containerd image store takes an OCI layout with blobs missing, and
   * unpacks each layer it lacks a snapshot for from its content store: a blob any image it lists
   * holds can be left out (layers.ts).
   */
  async skipRule(): Promise<SkipRule> {
    return (await this.imageStore()) === 'containerd' ? 'anywhere' : 'stack-prefix';
  }

  /**
   * The containerd image store imports an image whose blobs are missing when it need not unpack
   * them (it holds their snapshots, from an image stored with other blobs), and then leaves the
   * image out of its listings (`docker images`), as incomplete. Such an image is listed nowhere.
   */
  async complete(id: string, ref: string): Promise<boolean> {
    if ((await this.imageStore()) !== 'containerd') return true;
    const listed = await this.api.listed(familiarName(ref));
    if (listed.length > 0) return listed.includes(id);
    // Not under that name (or a filter that spells names otherwise): the whole listing decides.
    return (await this.api.images()).some((i) => i.id === id);
  }

  images(): Promise<ListedImage[]> {
    return this.api.images();
  }

  stacks(ids: string[]): Promise<string[][]> {
    return this.api.stacks(ids);
  }

  /**
   * On the load opened early when there is one; if the daemon refused that request before the
   * archive went out, on the negotiated path, with the head in front. A refusal after the archive
   * went out rejects with EarlyLoadRefused (archiveSent): the archive is spent.
   */
  async load(archive: Readable, signal: AbortSignal): Promise<void> {
    const early = this.early;
    this.early = undefined;
    if (!early) {
      await this.api.load(archive, signal);
      return;
    }
    try {
      await early.send(archive, signal);
    } catch (e) {
      if (!(e instanceof EarlyLoadRefused) || e.archiveSent) throw e;
      await this.api.load(Readable.from(prepend(this.head!, archive)), signal);
    }
  }

  async platform(): Promise<Platform> {
    const { os, machine } = await this.api.platform();
    return { os, ...ociArchitecture(machine) };
  }

  tag(id: string, name: string, tag: string): Promise<void> {
    return this.api.tag(id, name, tag);
  }

  async inspect(ref: string): Promise<DaemonImage | undefined> {
    const got = await this.api.inspect(ref);
    return got && { id: got.Id, layers: got.RootFS?.Layers ?? [] };
  }

  async close(): Promise<void> {
    this.early?.cancel();
    await this.api.close();
  }
}

/**
 * "NAME:TAG" as `docker images` shows it, the form its reference filter matches: Docker Hub's host
 * and "library/" dropped ("docker.io/library/app:v1" → "app:v1").
 */
export function familiarName(ref: string): string {
  const colon = ref.lastIndexOf(':');
  const [name, tag] = colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon)] : [ref, ''];
  const { host, path } = parseName(name);
  if (host !== undefined && !isDockerHub(host)) return `${host}/${path}${tag}`;
  return `${/^library\/[^/]+$/.test(path) ? path.slice(8) : path}${tag}`;
}

async function* prepend(head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  yield* rest;
}

export const connectDocker: ConnectBackend = async (opts) => {
  const b = new DockerBackend();
  try {
    await b.connect(opts);
  } catch (e) {
    await b.close();
    throw e;
  }
  return b;
};
