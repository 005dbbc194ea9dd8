// Docker's Engine API as a daemon backend. Its load is opened before anything else (the archive's
// fixed first bytes go out before /_ping), so that dockerd's unpacker starts while we work out
// what to send.
import { Readable } from 'node:stream';
import type { ConnectBackend, ConnectOptions, DaemonBackend, DaemonImage } from './backend.js';
import { DockerApi, dockerEndpoint, EarlyLoadRefused, type PendingLoad } from './docker-api.js';
import type { ListedImage } from './layers.js';

export class DockerBackend implements DaemonBackend {
  readonly skipRule = 'stack-prefix' as const;
  readonly archiveFormat = 'docker' as const;
  readonly namesFromArchive = true;
  readonly label: string;
  private readonly api = new DockerApi(dockerEndpoint());
  /** The load opened early, until load() takes it. */
  private early: PendingLoad | undefined;
  private head: Buffer | undefined;
  headSent = false;

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
