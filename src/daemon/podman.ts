// Podman, through its API socket when a service is running, else through the podman CLI. Both take
// an oci-archive and skip any layer whose uncompressed digest is already in storage, so the
// archive leaves out the files of layers Podman has.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hasCode, UserError, type ErrorCode } from '../util/errors.js';
import type { ConnectBackend, DaemonBackend, DaemonImage } from './backend.js';
import { DaemonHttpError, EngineClient, parseHost, type Endpoint } from './engine.js';
import type { ListedImage, SkipRule } from './layers.js';
import { ociArchitecture, type Platform } from '../image/platform.js';

const hex = (id: string): string => id.replace(/^sha256:/, '');
/** Podman names images by the config digest's hex; the backend interface by the digest. */
const digestId = (id: string): string => `sha256:${hex(id)}`;

interface InspectDoc {
  Id: string;
  RootFS?: { Layers?: string[] };
}
const summary = (d: InspectDoc): DaemonImage => ({ id: digestId(d.Id), layers: d.RootFS?.Layers ?? [] });

/** `podman info`'s host section: the platform it runs images for. */
interface InfoDoc {
  host?: { os?: string; arch?: string; variant?: string };
}
function infoPlatform(d: InfoDoc): Platform {
  const arch = ociArchitecture(d.host?.arch ?? '');
  return { os: d.host?.os || 'linux', ...arch, ...(d.host?.variant ? { variant: d.host.variant } : {}) };
}

/** What both Podman backends share: its loader skips any layer it has, and reads oci-archive. */
abstract class PodmanBase {
  readonly archiveFormat = 'oci' as const;
  async skipRule(): Promise<SkipRule> {
    return 'anywhere';
  }
  /** Its oci-archive reader's naming has changed across versions: the image is tagged after loading. */
  readonly namesFromArchive = false;
  readonly headSent = false;
}

/** CONTAINER_HOST, else the rootful or the user's default socket. */
export function podmanEndpoint(env: NodeJS.ProcessEnv = process.env): { endpoint: Endpoint; explicit: boolean } {
  const hint = 'set CONTAINER_HOST=unix:///path/to/podman.sock (start one with `podman system service --time=0 unix:///path/to/podman.sock`)';
  if (env.CONTAINER_HOST) return { endpoint: parseHost(env.CONTAINER_HOST, hint), explicit: true };
  const uid = process.getuid?.() ?? 0;
  const path = uid === 0 ? '/run/podman/podman.sock' : `${env.XDG_RUNTIME_DIR || `/run/user/${uid}`}/podman/podman.sock`;
  return { endpoint: parseHost(`unix://${path}`, hint), explicit: false };
}

export class PodmanApi extends PodmanBase implements DaemonBackend {
  readonly label: string;
  private prefix = '/v4.0.0/libpod';
  constructor(private readonly client: EngineClient) {
    super();
    this.label = `the Podman service at ${client.endpoint.display}`;
  }

  /** Connects and checks this is Podman (Libpod-API-Version header); throws the connect error otherwise. */
  static async connect(endpoint: Endpoint): Promise<PodmanApi> {
    const client = new EngineClient(endpoint, 'the Podman service');
    try {
      const r = await client.request('GET', '/_ping');
      await r.dump();
      const v = r.headers['libpod-api-version'];
      if (typeof v !== 'string') throw new UserError('DAEMON_UNSUPPORTED', `${endpoint.display} is not a Podman service (no Libpod-API-Version in its /_ping reply)`, endpoint.hint);
      const major = Number(v.split('.')[0]);
      if (!(major >= 4)) throw new UserError('DAEMON_UNSUPPORTED', `the Podman service at ${endpoint.display} is version ${v}; longshore needs Podman 4 or newer`);
      const api = new PodmanApi(client);
      api.prefix = `/v${major}.0.0/libpod`;
      return api;
    } catch (e) {
      await client.close();
      throw e;
    }
  }

  async images(): Promise<ListedImage[]> {
    const list = await this.client.json<{ Id: string; RepoTags?: string[] | null; Names?: string[] | null }[]>('GET', `${this.prefix}/images/json`, { query: { all: true } });
    return list.map((i) => ({ id: digestId(i.Id), tags: i.RepoTags ?? i.Names ?? [] }));
  }

  async stacks(ids: string[]): Promise<string[][]> {
    return Promise.all(ids.map(async (id) => (await this.inspect(id).catch(() => undefined))?.layers ?? []));
  }

  async load(archive: Readable, signal: AbortSignal): Promise<void> {
    try {
      await this.client.ok('POST', `${this.prefix}/images/load`, { body: archive, headers: { 'content-type': 'application/x-tar' }, signal });
    } catch (e) {
      if (e instanceof DaemonHttpError) throw new UserError('DAEMON_REFUSED', `${this.label} refused the image (HTTP ${e.statusCode}): ${e.daemonText}`);
      throw e;
    }
  }

  async platform(): Promise<Platform> {
    return infoPlatform(await this.client.json<InfoDoc>('GET', `${this.prefix}/info`));
  }

  async tag(id: string, name: string, tag: string): Promise<void> {
    await this.client.ok('POST', `${this.prefix}/images/${hex(id)}/tag`, { query: { repo: name, tag } });
  }

  async inspect(ref: string): Promise<DaemonImage | undefined> {
    const r = await this.client.request('GET', `${this.prefix}/images/${encodeURIComponent(ref)}/json`);
    const text = await r.text();
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new UserError('DAEMON_HTTP', `${this.label}: inspecting ${ref} failed (HTTP ${r.status}): ${text.trim()}`);
    return summary(JSON.parse(text) as InspectDoc);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** A containers/storage store other than the configured one: containers-storage:[DRIVER@ROOT+RUNROOT:OPTIONS]. */
export interface StorageSpec {
  driver?: string;
  root?: string;
  runroot?: string;
  options?: string[];
}

/** The podman command's global options that choose that store. */
function storageArgs(s: StorageSpec | undefined): string[] {
  if (!s) return [];
  return [
    ...(s.driver ? ['--storage-driver', s.driver] : []),
    ...(s.root ? ['--root', s.root] : []),
    ...(s.runroot ? ['--runroot', s.runroot] : []),
    ...(s.options ?? []).flatMap((o) => ['--storage-opt', o]),
  ];
}

/** The podman command, for machines where no Podman service is listening. */
export class PodmanCli extends PodmanBase implements DaemonBackend {
  readonly label: string;
  private readonly global: string[];
  constructor(
    private readonly bin = process.env.LONGSHORE_PODMAN || 'podman',
    /** Local storage only (containers-storage:): never a remote service named by CONTAINER_HOST or CONTAINER_CONNECTION. */
    private readonly local: { storage?: StorageSpec } | undefined = undefined,
  ) {
    super();
    this.global = storageArgs(local?.storage);
    this.label = this.global.length ? `the podman CLI (${this.global.join(' ')})` : 'the podman CLI';
  }

  private async run(args: string[], opts: { stdin?: Readable; signal?: AbortSignal } = {}) {
    try {
      // podman rejects an empty CONTAINER_HOST ("" is not a supported schema).
      const env = { ...process.env };
      if (!env.CONTAINER_HOST || this.local) delete env.CONTAINER_HOST;
      if (this.local) delete env.CONTAINER_CONNECTION;
      // Loaded here: the API path, the common one, should not pay for execa at start-up.
      const { execa } = await import('execa');
      const sub = execa(this.bin, [...this.global, ...args], { reject: false, stdin: opts.stdin ? 'pipe' : 'ignore', cancelSignal: opts.signal, all: true, env, extendEnv: false });
      if (opts.stdin) {
        // podman exits early on a bad archive; its exit status then says why, not the broken pipe.
        pipeline(opts.stdin, sub.stdin!).catch(() => undefined);
      }
      return await sub;
    } catch (e) {
      throw new UserError('DAEMON_UNREACHABLE', `cannot run ${this.bin}: ${(e as Error).message}`);
    }
  }

  private fail(what: string, r: { exitCode?: number; all?: string; failed: boolean; code?: string; shortMessage?: string }, code: ErrorCode = 'DAEMON_COMMAND_FAILED'): never {
    if (r.code === 'ENOENT')
      throw this.local
        ? new UserError('DAEMON_UNREACHABLE', `${what}: podman is not installed (no "${this.bin}" on PATH); containers-storage: writes Podman's storage through it`, 'install podman')
        : new UserError('DAEMON_UNREACHABLE', `${what}: podman is not installed (no "${this.bin}" on PATH), and no Podman service socket answered`, 'install podman, or set CONTAINER_HOST to a Podman API socket');
    throw new UserError(code, `${what}: podman failed (exit ${r.exitCode ?? '?'}): ${(r.all ?? r.shortMessage ?? '').trim().split('\n').slice(-5).join('; ')}`);
  }

  async images(): Promise<ListedImage[]> {
    const r = await this.run(['images', '--all', '--format', 'json']);
    if (r.failed) this.fail('podman images', r);
    const list = JSON.parse(r.stdout || '[]') as { Id: string; Names?: string[] | null }[];
    return list.map((i) => ({ id: digestId(i.Id), tags: i.Names ?? [] }));
  }

  async stacks(ids: string[]): Promise<string[][]> {
    if (ids.length === 0) return [];
    const r = await this.run(['image', 'inspect', '--format', 'json', ...ids]);
    // An image removed meanwhile fails the inspect: then nothing is assumed present.
    if (r.failed) return ids.map(() => []);
    return (JSON.parse(r.stdout) as InspectDoc[]).map((d) => summary(d).layers);
  }

  async load(archive: Readable, signal: AbortSignal): Promise<void> {
    const r = await this.run(['load'], { stdin: archive, signal });
    if (signal.aborted) throw signal.reason ?? new UserError('DAEMON_REFUSED', 'podman load aborted');
    if (r.failed) this.fail('podman load', r, 'DAEMON_REFUSED');
  }

  async platform(): Promise<Platform> {
    const r = await this.run(['info', '--format', 'json']);
    if (r.failed) this.fail('podman info', r);
    return infoPlatform(JSON.parse(r.stdout) as InfoDoc);
  }

  async tag(id: string, name: string, tag: string): Promise<void> {
    const r = await this.run(['tag', hex(id), `${name}:${tag}`]);
    if (r.failed) this.fail('podman tag', r);
  }

  async inspect(ref: string): Promise<DaemonImage | undefined> {
    const r = await this.run(['image', 'inspect', '--format', 'json', ref]);
    return r.failed ? undefined : summary((JSON.parse(r.stdout) as InspectDoc[])[0]);
  }

  async close(): Promise<void> {}
}

/** The API socket if a service answers there; the CLI when none runs and none was asked for. */
export const connectPodman: ConnectBackend = async (_opts, onInfo) => {
  const { endpoint, explicit } = podmanEndpoint();
  try {
    return await PodmanApi.connect(endpoint);
  } catch (e) {
    if (explicit || !hasCode(e, 'DAEMON_UNREACHABLE')) throw e;
    onInfo(`no Podman service at ${endpoint.display}; using the podman CLI`);
    return new PodmanCli();
  }
};

/** containers-storage: the local store, through the podman CLI, as skopeo writes it (never a service). */
export const connectContainersStorage =
  (storage?: StorageSpec): ConnectBackend =>
  async () =>
    new PodmanCli(undefined, { storage });
