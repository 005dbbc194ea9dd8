// docker://HOST/NAME[:TAG|@DIGEST] → where to connect and what to push.
import { UserError } from '../util/errors.js';

export interface RegistryReference {
  /** As the user wrote it (docker.io stays docker.io): used to look up credentials and in messages. */
  registry: string;
  /** host[:port] to talk to (docker.io → registry-1.docker.io). */
  apiHost: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export function isDockerHub(registry: string): boolean {
  return DOCKER_HUB.has(registry);
}

/** Parses "HOST/NAME[:TAG]" (the part after docker://). A first component without '.' or ':' (and not localhost) means Docker Hub. */
export function parseRegistryReference(ref: string): RegistryReference {
  let rest = ref.replace(/^\/\//, '');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new UserError(`docker://${ref}: bad digest ${digest}`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new UserError(`docker://${ref}: bad tag ${JSON.stringify(tag)}`);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost' || /^\[.*\]/.test(parts[0]))) registry = parts.shift()!;
  let repository = parts.join('/');
  if (!repository || !parts.every((p) => NAME_COMPONENT.test(p))) {
    throw new UserError(`docker://${ref}: bad repository name ${JSON.stringify(repository)} (lowercase letters, digits, separators)`);
  }
  if (isDockerHub(registry)) {
    registry = 'docker.io';
    if (parts.length === 1) repository = `library/${repository}`;
  }
  return { registry, apiHost: isDockerHub(registry) ? 'registry-1.docker.io' : registry, repository, tag, digest };
}

/** Hosts where plain HTTP is the convention (loopback). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function formatReference(r: RegistryReference, tag?: string): string {
  return `${r.registry}/${r.repository}${tag ? ':' + tag : ''}`;
}
