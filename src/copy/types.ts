// The step interface every destination implements, and what a copy reports. containers/image's
// ImageDestination is the model: the orchestrator (copy.ts) asks a destination to reuse a blob, to
// put a blob and to commit; the destination implements only its own protocol.
import type { Compression } from '../image/media-types.js';
import type { BlobBytes, ManifestLayer, ResolvedImage, ResolvedIndex } from '../image/model.js';
import type { Platform } from '../image/platform.js';
import type { Measured, MeasuredStream } from '../util/measure.js';
import type { Progress } from '../util/progress.js';
import { UserError } from '../util/errors.js';

export type LayerAction = 'skipped' | 'mounted' | 'uploaded' | 'written';

export interface LayerOutcome {
  /** As it went (compressed on the way, or as stored). */
  digest: string;
  size: number;
  /** The digest of the uncompressed tar, as in the image JSON and the config. */
  diffID: string;
  mediaType: string;
  action: LayerAction;
  /** Layer bytes that actually travelled (0 when skipped or mounted; more than size after a retry). */
  bytesSent: number;
  /** This copy compressed the layer (it was put, compressed on the way). */
  compressed: boolean;
}

/** What `longshore copy --json` prints. */
export interface CopyResult {
  /** The destination as the user wrote it, credentials never included. */
  destination: string;
  /** What a user would pull or run, e.g. "localhost:5000/app:tag". */
  reference: string;
  manifestDigest?: string;
  /**
   * The image's ID where the destination names images by one: the config digest (archives, Podman,
   * Docker's classic image store), or the manifest digest (Docker's containerd image store).
   */
  imageId?: string;
  /** How the image's own layers travelled. */
  compression?: Compression;
  /** Every reference the copy made visible: `reference`, then those of --tag. */
  references?: string[];
  /** An index copied as the one image of it this destination takes: that image's platform. */
  platform?: string;
  /** An index copied whole: each of its images, in the index's order. `layers` lists theirs, one after another. */
  images?: { platform: string; manifestDigest: string; layers: LayerOutcome[] }[];
  layers: LayerOutcome[];
  bytesSent: number;
  seconds: number;
}

/** What a destination can do; the orchestrator plans around it. */
export interface Capabilities {
  /**
   * How it tells that it holds a blob already: 'probe' asks once per blob (a HEAD, a stat), so
   * probes run many at a time; 'inventory' decided it once in open() from what it holds (daemons);
   * 'none' never holds anything (a new archive file).
   */
  reuse: 'probe' | 'inventory' | 'none';
  /** Blobs go into one stream one after another (archives, daemon loads): one put at a time, in image order. */
  serial: boolean;
  /** What a put is called in progress and results: bytes uploaded, or written to files. */
  putAction: 'uploaded' | 'written';
  /**
   * The config may travel beside the layers rather than after them: a blob nothing references
   * is invisible there (a registry), so a failed copy shows no trace of it.
   */
  configBeside: boolean;
  /** The layer encodings it takes, and the one it gets when the user asks for none. */
  compressions: readonly Compression[];
  defaultCompression: Compression;
  /** Whether an image's own default compression (buildImage's `compression`) applies here. */
  followsImageCompression: boolean;
  /** It needs a blob's size before its bytes (a tar entry's header): a blob compressed on the way is measured first. */
  needsSizeFirst: boolean;
  /**
   * What it makes of an image index: 'all' holds every image and the index over them (it implements
   * commitChild and commitIndex); 'one' holds one image, the one for its platform (a daemon's own).
   */
  index: 'all' | 'one';
}

/** A layer descriptor as it goes into a manifest. */
export type LayerDescriptor = ManifestLayer;

/**
 * A blob the copy may send: one of the image's layers, or its config. A layer compressed on the
 * way has no digest or size until its bytes have been made: `digest` and `size` are then
 * undefined, and destinations find an equivalent blob they hold by `diffID` and `mediaType`.
 */
export interface Blob {
  kind: 'layer' | 'config';
  mediaType: string;
  digest?: string;
  size?: number;
  /** Layers: the digest of the uncompressed tar, by which daemons (and compressed-blob records) know it. */
  diffID?: string;
  /** How the bytes open() gives are encoded ('none' for the config). */
  compression: Compression;
  /** Annotations for the layer's manifest descriptor (the compressor's name). */
  annotations?: Record<string, string>;
  /** Another repository ("HOST/NAME") known to hold the blob, that a registry may mount it from. */
  sourceRepository?: string;
  /**
   * A fresh stream of the blob's bytes, regenerated from the store at each call (a failed upload
   * starts again from here, never from a replayed stream). It fails, before its last chunk, when
   * the bytes differ from the descriptor; `measured` gives the digest and size it delivered.
   */
  open(): MeasuredStream;
  /** The digest and size, by making the bytes once without sending them (for destinations that need the size first). */
  measure(): Promise<Measured>;
}

/** A blob the destination made present without its bytes. */
export interface Reused {
  action: 'skipped' | 'mounted';
  /** For progress, e.g. "already in registry", "from team/base". */
  detail: string;
  /** The blob it holds, when that is not the blob's own descriptor (an equivalent compressed blob). */
  descriptor?: LayerDescriptor;
}

export interface StepContext {
  progress: Progress;
}

export interface OpenOptions extends StepContext {
  /** false after a destination refused what it was thought to hold: every blob is sent. */
  reuse: boolean;
}

export interface Opened {
  /** Set when the destination holds this exact image already (e.g. "image already loaded"): commit only tags it. */
  present?: string;
}

export interface Committed {
  reference: string;
  /** Every reference it made visible, `reference` first (more with --tag). */
  references?: string[];
  manifestDigest?: string;
  imageId?: string;
}

/** What a copy makes visible: one image, or (destinations whose `index` is 'all') an index of images. */
export type CopyTarget = ResolvedImage | ResolvedIndex;

export const isIndex = (t: CopyTarget): t is ResolvedIndex => 'images' in t;

/** Progress events a destination reports while putting one blob. */
export interface PutEvents {
  state(s: string): void;
}

/**
 * A copy destination: a registry repository, an OCI layout, an archive file, a daemon.
 * The orchestrator calls open once, then tryReuseBlob and putBlob per blob, then commit, and
 * close in every outcome. Copying an index, it puts each image's blobs and calls commitChild for
 * it, then commitIndex. Nothing a reference names may change before commit (or commitIndex).
 */
export interface ImageDestination {
  /** The transport reference as the user wrote it, credentials never included. */
  readonly description: string;
  readonly capabilities: Capabilities;
  /** Connects, authenticates, learns what the destination holds (of an image, or of an index's images). */
  open(target: CopyTarget, opts: OpenOptions): Promise<Opened>;
  /** Makes the blob present without its bytes, when it can; undefined when the blob must be put. */
  tryReuseBlob(blob: Blob, ctx: StepContext): Promise<Reused | undefined>;
  /** Sends the blob's bytes (from blob.open(), which the orchestrator counts); resolves with what the destination holds. */
  putBlob(blob: Blob, events: PutEvents): Promise<Measured>;
  /** Makes the image visible under its reference, once every blob is in place: the tag moves here. */
  commit(image: ResolvedImage, manifest: BlobBytes, ctx: StepContext): Promise<Committed>;
  /**
   * 'all' destinations, copying an index: makes one of its images present without a reference (a
   * registry's manifest by digest, a layout's manifest blob), once its blobs are in place.
   */
  commitChild?(image: ResolvedImage, manifest: BlobBytes, ctx: StepContext): Promise<void>;
  /** 'all' destinations: makes the index visible under its reference, once every image is present. The tag moves here. */
  commitIndex?(index: ResolvedIndex, bytes: BlobBytes, ctx: StepContext): Promise<Committed>;
  /**
   * 'one' destinations: the platform whose image of an index it takes (asked from a daemon);
   * without this step, this machine's.
   */
  platform?(ctx: StepContext): Promise<Platform>;
  /** Releases connections and files; with `failure`, abandons what commit did not finish. */
  close(failure?: unknown): Promise<void>;
}

/**
 * Thrown by a destination that needs the whole copy done again (e.g. a daemon refused an archive
 * that left out the layers it was thought to hold). `reuse` false sends every blob next time.
 */
export class CopyAgain extends UserError {
  constructor(message: string, readonly reuse: boolean) {
    super('COPY_AGAIN', message);
  }
}
