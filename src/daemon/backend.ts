// The daemons an image is loaded into — Docker's Engine API, Podman's API, the podman CLI — behind
// one interface, so that "held already? which layers can be left out? load; verify" is written once
// (src/dest/daemon.ts).
import type { Readable } from 'node:stream';
import type { ListedImage, SkipRule } from './layers.js';
import type { Platform } from '../image/platform.js';

/** An image as the daemon holds it. */
export interface DaemonImage {
  /** "sha256:<hex>": the config digest, or (Docker's containerd image store) the manifest digest. */
  id: string;
  /** RootFS.Layers: the DiffIDs of its layers, bottom first. */
  layers: string[];
}

export interface ConnectOptions {
  /**
   * The archive's fixed first bytes. A backend that can open its load before anything else is
   * known sends them at once (the daemon starts unpacking meanwhile) and reports headSent.
   */
  head?: Buffer;
}

/** Connects to a daemon and checks it is the one it should be. */
export type ConnectBackend = (opts: ConnectOptions, onInfo: (msg: string) => void) => Promise<DaemonBackend>;

export interface DaemonBackend {
  /** For messages: "the Docker daemon at unix:///var/run/docker.sock", "the podman CLI". */
  readonly label: string;
  /**
   * How its loader decides it may leave out a layer file (layers.ts). Docker's depends on its image
   * store, which costs a request to learn: asked for only when some image could be reused.
   */
  skipRule(): Promise<SkipRule>;
  /** The archive it loads: docker-archive (with an OCI layout inside) or oci-archive. */
  readonly archiveFormat: 'docker' | 'oci';
  /** A loaded image gets the name its archive gives it (else it is tagged after the load). */
  readonly namesFromArchive: boolean;
  /** True when connecting sent ConnectOptions.head: the archive then starts after it. */
  readonly headSent: boolean;
  /** Every image it holds, with IDs as "sha256:<hex>" and its tags. */
  images(): Promise<ListedImage[]>;
  /** The layer stacks (RootFS.Layers) of these images; an image removed meanwhile has none. */
  stacks(ids: string[]): Promise<string[][]>;
  /**
   * Loads an archive, resolving once the daemon accepted it. A refused archive rejects with the
   * daemon's reason (a DaemonRefusal when the daemon refused the image it was sent).
   */
  load(archive: Readable, signal: AbortSignal): Promise<void>;
  /** The platform it runs images for (Docker's /info, Podman's info): the image of an index it takes. */
  platform(): Promise<Platform>;
  /** Tags an image it holds (by ID) as NAME:TAG. */
  tag(id: string, name: string, tag: string): Promise<void>;
  /** What a reference resolves to, or undefined. */
  inspect(ref: string): Promise<DaemonImage | undefined>;
  /**
   * After a load that left layer files out: whether the image it loaded as `ref` (ID `id`) has all
   * its content (Docker's containerd image store can import one that lacks blobs). Absent: always.
   */
  complete?(id: string, ref: string): Promise<boolean>;
  /** Closes connections; drops a load opened early and never used. */
  close(): Promise<void>;
}
