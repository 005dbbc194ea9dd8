// Every destination (registry, daemons, OCI dir, archives) implements this one interface.
import type { ResolvedImage } from '../image/model.js';
import type { Progress } from '../util/progress.js';

export type LayerAction = 'skipped' | 'mounted' | 'uploaded' | 'written';

export interface LayerOutcome {
  digest: string;
  size: number;
  action: LayerAction;
  /** Layer bytes that actually travelled (0 when skipped or mounted). */
  bytesSent: number;
}

export interface CopyResult {
  destination: string;
  reference: string; // what a user would pull/run, e.g. "localhost:5000/app:tag"
  manifestDigest?: string;
  imageId?: string;
  layers: LayerOutcome[];
  bytesSent: number;
  seconds: number;
}

export interface CopyContext {
  progress: Progress;
  /** Parallel blob transfers. */
  jobs: number;
}

export interface Destination {
  /** The transport reference as the user wrote it, credentials never included. */
  readonly description: string;
  copy(image: ResolvedImage, ctx: CopyContext): Promise<CopyResult>;
}
