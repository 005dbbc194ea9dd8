// The Docker Engine API calls longshore needs: ping/version negotiation, image listing and
// inspection, load (NDJSON reply) and tag.
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { UserError } from '../util/errors.js';
import { daemonMessage, EngineClient, parseHost, readNdjson, type Endpoint, type Response } from './engine.js';
import type { ListedImage } from './layers.js';

const DEFAULT_SOCKET = 'unix:///var/run/docker.sock';
/**
 * Newest API version used; older daemons get their own. Docker 29 refuses anything below 1.44, and
 * nothing longshore calls (ping, image list/inspect, load, tag) changed shape up to 1.52 (Docker 29.0).
 */
const MAX_API = [1, 52];
const MIN_API = [1, 24];

export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): Endpoint {
  const host = env.DOCKER_HOST || DEFAULT_SOCKET;
  const hint = env.DOCKER_HOST
    ? `DOCKER_HOST is ${host}; change it to point at the daemon to use`
    : `set DOCKER_HOST (e.g. DOCKER_HOST=unix:///path/to/docker.sock) to use another daemon`;
  return parseHost(host, hint);
}

const parseVersion = (v: string): number[] => v.split('.').map((n) => Number(n));
const cmp = (a: number[], b: number[]): number => a[0] - b[0] || (a[1] ?? 0) - (b[1] ?? 0);

/**
 * Where a dockerd keeps images: 'classic' (a graphdriver such as overlay2, with its own layer
 * store) or 'containerd' (the containerd image store, i.e. the containerd-snapshotter feature: a
 * content store of blobs plus snapshots; the default for new installs since Docker 29).
 */
export type ImageStore = 'classic' | 'containerd';

export interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  RootFS?: { Type: string; Layers?: string[] };
}

/** A load whose request is open and whose archive's first bytes are sent; the rest is to come. */
export interface PendingLoad {
  /** Sends the archive after the bytes already sent; resolves with the reply's lines. */
  send(rest: Readable, signal?: AbortSignal): Promise<string[]>;
  /** Drops the request: the daemon sees a cut-short archive and loads nothing. */
  cancel(): void;
}

/**
 * The daemon refused an early-opened load's request (its path, not the image): load again on the
 * negotiated path. archiveSent: the refusal came after the archive was sent, which is then spent.
 */
export class EarlyLoadRefused extends Error {
  constructor(
    readonly status: number,
    readonly daemonText: string,
    readonly archiveSent: boolean,
  ) {
    super(`the opened load was refused (HTTP ${status}: ${daemonText})`);
  }
}

export class DockerApi {
  private prefix = '';
  readonly client: EngineClient;
  constructor(endpoint: Endpoint) {
    this.client = new EngineClient(endpoint, 'the Docker daemon');
  }

  /** GET /_ping; uses min(daemon's API version, ours) for every later call. */
  async negotiate(): Promise<string> {
    const r = await this.client.request('GET', '/_ping');
    const text = await r.text();
    if (r.status !== 200) throw new UserError('DAEMON_HTTP', `the Docker daemon at ${this.client.endpoint.display} answered /_ping with HTTP ${r.status}: ${text.trim()}`);
    const header = r.headers['api-version'];
    let v = typeof header === 'string' ? parseVersion(header) : MIN_API;
    if (v.some((n) => !Number.isFinite(n))) v = MIN_API;
    if (cmp(v, MAX_API) > 0) v = MAX_API;
    if (cmp(v, MIN_API) < 0) throw new UserError('DAEMON_UNSUPPORTED', `the Docker daemon at ${this.client.endpoint.display} speaks API ${v.join('.')}; longshore needs ${MIN_API.join('.')} or newer`);
    this.prefix = `/v${v.join('.')}`;
    return v.join('.');
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Inspects an image by ID or reference; undefined when the daemon does not have it. */
  async inspect(ref: string): Promise<ImageInspect | undefined> {
    const r = await this.client.request('GET', `${this.prefix}/images/${encodeURIComponent(ref)}/json`);
    if (r.status === 404) {
      await r.dump();
      return undefined;
    }
    const text = await r.text();
    if (r.status !== 200) throw new UserError('DAEMON_HTTP', `the Docker daemon: inspecting ${ref} failed (HTTP ${r.status}): ${text.trim()}`);
    return JSON.parse(text) as ImageInspect;
  }

  /**
   * GET /info: the containerd image store reports its snapshotter as the storage driver, with
   * DriverStatus [["driver-type", "io.containerd.snapshotter.v1"]] (dockerd 26 with the
   * containerd-snapshotter feature, and later).
   */
  async imageStore(): Promise<ImageStore> {
    const info = await this.client.json<{ Driver?: string; DriverStatus?: [string, string][] | null }>('GET', `${this.prefix}/info`);
    const type = (info.DriverStatus ?? []).find(([k]) => k === 'driver-type')?.[1] ?? '';
    return type.startsWith('io.containerd.snapshotter') ? 'containerd' : 'classic';
  }

  /** GET /info's OSType and Architecture (as `uname -m` spells it: "x86_64", "aarch64"). */
  async platform(): Promise<{ os: string; machine: string }> {
    const info = await this.client.json<{ OSType?: string; Architecture?: string }>('GET', `${this.prefix}/info`);
    return { os: info.OSType || 'linux', machine: info.Architecture || '' };
  }

  /** The IDs of the images the daemon lists under a reference ("name:tag"). */
  async listed(ref: string): Promise<string[]> {
    const list = await this.client.json<{ Id: string }[]>('GET', `${this.prefix}/images/json`, { query: { filters: JSON.stringify({ reference: [ref] }) } });
    return list.map((i) => i.Id);
  }

  /** Every image the daemon holds, with its tags. */
  async images(): Promise<ListedImage[]> {
    const list = await this.client.json<{ Id: string; RepoTags?: string[] | null }[]>('GET', `${this.prefix}/images/json`, { query: { all: 1 } });
    return list.map((i) => ({ id: i.Id, tags: i.RepoTags ?? [] }));
  }

  /** The layer stacks (RootFS.Layers) of these images; an image removed meanwhile has none. */
  async stacks(ids: string[]): Promise<string[][]> {
    return Promise.all(ids.map(async (id) => (await this.inspect(id))?.RootFS?.Layers ?? []));
  }

  /** POST /images/load; the reply is NDJSON, with errors reported in-band. */
  async load(archive: Readable, signal?: AbortSignal): Promise<string[]> {
    const r = await this.client.request('POST', `${this.prefix}/images/load`, {
      query: { quiet: 1 },
      body: archive,
      headers: { 'content-type': 'application/x-tar' },
      signal,
    });
    return this.loadReply(r);
  }

  /**
   * Opens POST /images/load and sends the archive's first bytes before the rest is decided: dockerd
   * starts its unpacker (a re-exec of itself, ~40 ms of a reload) once a load's first bytes arrive,
   * and that then overlaps our own work. The path carries no version, because this goes out before
   * /_ping answers; the daemon then uses its own, and load is unchanged since API 1.24. Unversioned
   * paths are deprecated: a daemon that refuses one makes send() fail with EarlyLoadRefused.
   */
  beginLoad(head: Buffer): PendingLoad {
    const ac = new AbortController();
    const body = new PassThrough();
    body.write(head);
    const reply = this.client.request('POST', '/images/load', { query: { quiet: 1 }, body, headers: { 'content-type': 'application/x-tar' }, signal: ac.signal });
    this.client.note(`POST /images/load?quiet=1 opened with the archive's first ${head.length} bytes`);
    // Docker reports a failed load in the reply's body, under HTTP 200; another status refuses the
    // request itself (its path), not the image.
    const refusal = async (r: Response, archiveSent: boolean): Promise<EarlyLoadRefused> => {
      const e = new EarlyLoadRefused(r.status, daemonMessage(await r.text()), archiveSent);
      this.client.note(e.message);
      ac.abort();
      return e;
    };
    let refused: Response | undefined;
    reply.then(
      (r) => void (r.status !== 200 && (refused = r)),
      () => {}, // reported by send(); a cancelled load has no one to report to
    );
    return {
      send: async (rest, signal) => {
        // Refused before the archive was sent: nothing of `rest` is spent on this request.
        if (refused) throw await refusal(refused, false);
        if (signal?.aborted) ac.abort(signal.reason);
        signal?.addEventListener('abort', () => ac.abort(signal.reason), { once: true });
        pipeline(rest, body, () => {});
        const r = await reply;
        if (r.status !== 200) throw await refusal(r, true);
        return this.loadReply(r);
      },
      cancel: () => {
        ac.abort();
        this.client.note('the opened load is cancelled');
      },
    };
  }

  private async loadReply(r: Response): Promise<string[]> {
    if (r.status !== 200) {
      const text = await r.text();
      throw new UserError('DAEMON_REFUSED', `the Docker daemon refused the image (HTTP ${r.status}): ${text.trim()}`);
    }
    let lines: string[];
    try {
      lines = (await readNdjson(r.body, 'the Docker daemon')).lines;
    } catch (e) {
      throw this.client.explain(e);
    }
    // The containerd image store imports the archive, then unpacks the image into snapshots. dockerd
    // 26 reports a failed unpack as an error; later versions (moby#48293, 2024) print it as a line of
    // the reply and still report "Loaded image", although the image cannot run.
    const unpack = lines.find((l) => /^Error unpacking image\b/.test(l));
    if (unpack) throw new UserError('DAEMON_REFUSED', `the Docker daemon refused the image: ${unpack}`);
    return lines;
  }

  /** POST /images/{id}/tag?repo=&tag= */
  async tag(id: string, repo: string, tag: string): Promise<void> {
    await this.client.ok('POST', `${this.prefix}/images/${encodeURIComponent(id)}/tag`, { query: { repo, tag } });
  }
}
