// The user-facing grammar: containers/image transport names (docker://, docker-daemon:, oci:, …),
// each mapped to the module that implements it, loaded only when a copy uses it.
import type { ImageDestination } from '../copy/types.js';
import { UserError } from '../util/errors.js';
import type { CopyFlags, TransportParser } from './flags.js';

const TRANSPORTS: Record<string, () => Promise<TransportParser>> = {
  'docker://': async () => (await import('./registry.js')).parseRegistryDestination,
  oci: async () => (await import('./oci-layout.js')).parseOciLayoutDestination,
  'oci-archive': async () => (await import('./archive-file.js')).parseOciArchiveDestination,
  'docker-archive': async () => (await import('./archive-file.js')).parseDockerArchiveDestination,
  'docker-daemon': async () => (await import('./daemon.js')).parseDockerDaemonDestination,
  podman: async () => (await import('./daemon.js')).parsePodmanDestination,
  'containers-storage': async () => (await import('./daemon.js')).parseContainersStorageDestination,
  dir: async () => (await import('./dir.js')).parseDirDestination,
};

/** The transport names as a user writes them: "docker://", "oci:", … */
export const transportNames = (): string[] => Object.keys(TRANSPORTS).map((t) => (t.endsWith('://') ? t : t + ':')).sort();

/** "TRANSPORT:REST" → the destination it names. */
export async function parseDestination(ref: string, flags: CopyFlags): Promise<ImageDestination> {
  const m = /^([a-z-]+):(\/\/)?(.*)$/s.exec(ref);
  const load = m ? (m[2] ? TRANSPORTS[`${m[1]}://`] : undefined) ?? TRANSPORTS[m[1]] : undefined;
  if (!m || !load) throw new UserError('INVALID_REFERENCE', `unknown destination ${JSON.stringify(ref)}: expected one of ${transportNames().join(', ')}`);
  const rest = m[2] && !TRANSPORTS[`${m[1]}://`] ? `//${m[3]}` : m[3];
  return (await load())(rest, flags);
}
