// docker-daemon:NAME[:TAG], podman:NAME[:TAG] and containers-storage:[NAME[:TAG]] — loads into a
// daemon, one archive per copy, leaving out the layer files the daemon already holds. Docker and
// Podman (API or CLI) differ only behind the DaemonBackend interface (src/daemon/backend.ts).
// containers-storage: is skopeo's name for Podman's local store: always the podman CLI (the
// storage configured for this user, CONTAINERS_STORAGE_CONF, or a [DRIVER@ROOT+RUNROOT:OPTIONS]
// prefix), never a service, and names normalised as skopeo does (`app` is docker.io/library/app).
import { ARCHIVE_HEAD, ImageArchive } from '../archive/archive.js';
import type { Measured } from '../util/measure.js';
import { CopyAgain, isIndex, type Blob, type Capabilities, type Committed, type CopyTarget, type ImageDestination, type Opened, type OpenOptions, type Reused, type StepContext } from '../copy/types.js';
import type { Platform } from '../image/platform.js';
import type { BlobBytes, ResolvedImage } from '../image/model.js';
import type { ConnectBackend, DaemonBackend } from '../daemon/backend.js';
import { connectDocker } from '../daemon/docker.js';
import { EarlyLoadRefused } from '../daemon/docker-api.js';
import { layersToSkip } from '../daemon/layers.js';
import { connectContainersStorage, connectPodman, type StorageSpec } from '../daemon/podman.js';
import { checkTag, InvalidReferenceError, parseNameTag, parseRegistryReference } from '../reference/reference.js';
import { hasCode, UserError } from '../util/errors.js';
import { count } from '../util/human.js';
import { extraTags, type CopyFlags, type TransportParser } from './flags.js';

export class DaemonDestination implements ImageDestination {
  readonly capabilities: Capabilities = {
    reuse: 'inventory',
    serial: true,
    putAction: 'uploaded',
    configBeside: false,
    // They unpack every layer anyway: compressing would only cost time, unless asked for.
    compressions: ['none', 'gzip'],
    defaultCompression: 'none',
    followsImageCompression: false,
    needsSizeFirst: true,
    // Of an index it takes the image for its own platform.
    index: 'one',
  };
  readonly description: string;
  private backend: DaemonBackend | undefined;
  /** NAME:TAG as loaded, once open() knows the name and tag. */
  private ref = '';
  private loadName = '';
  private loadTag = '';
  /** The ID the daemon holds this exact image under, when it does. */
  private held: string | undefined;
  private omit = new Set<string>();
  private archive: ImageArchive | undefined;
  private loading: Promise<void> | undefined;
  private abort = new AbortController();
  /** The daemon refused a load opened early after reading the archive: later tries go the plain way. */
  private noEarlyLoad = false;

  constructor(
    readonly transport: 'docker-daemon' | 'podman' | 'containers-storage',
    /** As given; '' (containers-storage: only) for the image's own name. */
    readonly name: string,
    /** As given; without one, the image's own tag. */
    readonly tag: string | undefined,
    private readonly connect: ConnectBackend,
    private readonly flags: CopyFlags = {},
    /** How a name is written in the daemon (containers-storage: normalises as skopeo does). */
    private readonly normalise: (name: string) => string = (n) => n,
  ) {
    this.description = `${transport}:${name}${tag ? ':' + tag : ''}`;
  }

  /** The daemon's own platform, asked on a connection of its own (a load is not opened for it). */
  async platform(ctx: StepContext): Promise<Platform> {
    const backend = await this.connect({}, (m) => ctx.progress.info(m));
    try {
      return await backend.platform();
    } finally {
      await backend.close();
    }
  }

  async open(target: CopyTarget, opts: OpenOptions): Promise<Opened> {
    if (isIndex(target)) throw new Error(`${this.description} takes one image of an index, not the index`);
    const image = target;
    if (!this.name && !image.name) throw new InvalidReferenceError(`${this.description}: the image has no name; give one, as in ${this.transport}:NAME:TAG`);
    this.loadName = this.normalise(this.name || image.name!);
    this.loadTag = this.tag ?? image.tag ?? 'latest';
    this.ref = `${this.loadName}:${this.loadTag}`;
    // Most copies load something: a backend that can opens the load now, with the archive's head.
    const backend = (this.backend = await this.connect({ head: this.noEarlyLoad ? undefined : ARCHIVE_HEAD }, (m) => opts.progress.info(m)));
    const images = await backend.images();
    this.held = images.find((i) => i.id === image.config.digest || i.id === image.manifest.digest)?.id;
    if (this.held) return { present: 'image already loaded' };
    this.omit = opts.reuse
      ? await layersToSkip(image.layers.map((l) => l.diffID), () => backend.skipRule(), { name: this.loadName, ref: this.ref }, images, (ids) => backend.stacks(ids))
      : new Set();
    const archive = (this.archive = new ImageArchive(backend.archiveFormat, { headSent: backend.headSent }));
    this.abort = new AbortController();
    this.loading = backend.load(archive.stream, this.abort.signal);
    this.loading.catch(() => {}); // awaited in commit; a failed put must not leave it unhandled
    archive.attach(this.loading);
    return {};
  }

  async tryReuseBlob(blob: Blob): Promise<Reused | undefined> {
    return blob.diffID && this.omit.has(blob.diffID) ? { action: 'skipped', detail: 'daemon has it' } : undefined;
  }

  async putBlob(blob: Blob): Promise<Measured> {
    // The copy flow measured a blob compressed on the way: a tar entry needs its size first.
    const held = { digest: blob.digest!, size: blob.size! };
    await this.archive!.putBlob(held.digest, held.size, blob.open());
    return held;
  }

  async commit(image: ResolvedImage, manifest: BlobBytes): Promise<Committed> {
    const backend = this.backend!;
    if (this.archive) {
      const names = { repoTags: [this.ref], refNames: [this.loadTag] };
      try {
        await this.archive.finish(image, manifest, names);
        await this.loading;
      } catch (e) {
        throw this.retryable(e) ?? e;
      }
    }
    // An image held already is only tagged; a loaded one is named by its archive where the daemon
    // honours that name, and tagged where it might not.
    if (this.held || !backend.namesFromArchive) await backend.tag(this.held ?? image.config.digest, this.loadName, this.loadTag);
    const got = await backend.inspect(this.ref);
    if (!got) throw new UserError('DAEMON_VERIFY_FAILED', `${backend.label} reported success but has no image ${this.ref}`);
    if (got.id !== image.config.digest && got.id !== image.manifest.digest)
      throw new UserError('DAEMON_VERIFY_FAILED', `${backend.label} holds ${got.id} as ${this.ref}, expected ${image.config.digest} (or, in a containerd image store, ${image.manifest.digest})`);
    if (this.archive && this.omit.size > 0 && backend.complete && !(await backend.complete(got.id, this.ref)))
      throw new CopyAgain(`${backend.label} loaded ${this.ref} without the content of the ${count(this.omit.size, 'layer')} left out (its image store does not list it); sending every layer`, false);
    // --tag: the same image under more tags, once it is loaded and verified.
    const more = extraTags(this.flags, this.loadTag, (t) => checkTag(t, `--tag ${t}`));
    for (const t of more) await backend.tag(got.id, this.loadName, t);
    // The ID the daemon names the image by: the config digest, or the manifest digest in a
    // containerd image store.
    return { reference: this.ref, ...(more.length ? { references: [this.ref, ...more.map((t) => `${this.loadName}:${t}`)] } : {}), imageId: got.id };
  }

  /** A load worth doing again: refused without the layers the daemon was thought to hold, or refused on its early path. */
  private retryable(e: unknown): CopyAgain | undefined {
    const label = this.backend!.label;
    if (e instanceof EarlyLoadRefused) {
      this.noEarlyLoad = true;
      return new CopyAgain(`${label}: ${e.message}; loading again on the negotiated API path`, true);
    }
    if (this.omit.size > 0 && hasCode(e, 'DAEMON_REFUSED'))
      return new CopyAgain(`${label} refused the archive without the ${count(this.omit.size, 'layer')} it has (${(e as Error).message}); sending every layer`, false);
    return undefined;
  }

  async close(failure?: unknown): Promise<void> {
    if (failure !== undefined) {
      this.archive?.abort(failure);
      this.abort.abort(failure);
    }
    this.archive = undefined;
    this.loading = undefined;
    await this.backend?.close();
    this.backend = undefined;
  }
}

export const parseDockerDaemonDestination: TransportParser = (rest, flags) => {
  const { name, tag } = parseNameTag(rest, 'docker-daemon');
  for (const t of flags.tags ?? []) checkTag(t, `--tag ${t}`);
  return new DaemonDestination('docker-daemon', name, tag, connectDocker, flags);
};

export const parsePodmanDestination: TransportParser = (rest, flags) => {
  const { name, tag } = parseNameTag(rest, 'podman');
  for (const t of flags.tags ?? []) checkTag(t, `--tag ${t}`);
  return new DaemonDestination('podman', name, tag, connectPodman, flags);
};

/** "[DRIVER@ROOT+RUNROOT:OPTIONS]" as containers/image's storage transport reads it (each part but ROOT optional). */
function parseStorageSpec(spec: string, context: string): StorageSpec {
  const at = spec.indexOf('@');
  const driver = at >= 0 ? spec.slice(0, at) : undefined;
  let rest = at >= 0 ? spec.slice(at + 1) : spec;
  if (driver === '' || !rest) throw new InvalidReferenceError(`${context}: the store "[${spec}]" is not [DRIVER@ROOT+RUNROOT:OPTIONS]`);
  const colon = rest.indexOf(':');
  const options = colon >= 0 ? rest.slice(colon + 1).split(',').filter(Boolean) : [];
  if (colon >= 0) rest = rest.slice(0, colon);
  const [root, runroot] = rest.split('+', 2);
  for (const p of [root, runroot]) if (p && !p.startsWith('/')) throw new InvalidReferenceError(`${context}: the store path ${JSON.stringify(p)} is not absolute`);
  return { ...(driver ? { driver } : {}), ...(root ? { root } : {}), ...(runroot ? { runroot } : {}), ...(options.length ? { options } : {}) };
}

/**
 * containers-storage:[[STORE]][NAME[:TAG]]: without NAME, the image's own name and tag. A bracket
 * holding a driver (DRIVER@) or an absolute path is the store; any other is an IPv6 host. NAME is
 * written fully qualified, as skopeo writes it: `app:1` is docker.io/library/app:1, which is what
 * `podman run app:1` finds (where podman: would tag localhost/app:1).
 */
export const parseContainersStorageDestination: TransportParser = (rest, flags) => {
  const context = `containers-storage:${rest}`;
  let storage: StorageSpec | undefined;
  let ref = rest;
  // A store starts with its driver (DRIVER@) or its root (an absolute path); "[::1]:5000/app" is a name.
  const store = /^\[([^\]]*)\]/.exec(ref);
  if (store && (store[1].startsWith('/') || store[1].includes('@'))) {
    storage = parseStorageSpec(store[1], context);
    ref = ref.slice(store[0].length);
  } else if (/^\[[^\]]*$/.test(ref) && (ref.startsWith('[/') || ref.includes('@'))) {
    throw new InvalidReferenceError(`${context}: "[" without "]" around the store`);
  }
  if (ref.startsWith('@')) throw new InvalidReferenceError(`${context}: an image ID names an image already stored; as a destination give NAME[:TAG]`);
  const normalise = (name: string) => {
    const r = parseRegistryReference(name, context);
    return `${r.registry}/${r.repository}`;
  };
  const { name, tag } = ref ? parseNameTag(ref, 'containers-storage', context) : { name: '', tag: undefined };
  for (const t of flags.tags ?? []) checkTag(t, `--tag ${t}`);
  return new DaemonDestination('containers-storage', name, tag, connectContainersStorage(storage), flags, normalise);
};
