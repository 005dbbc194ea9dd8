// Parsing and formatting image references: NAME[:TAG][@DIGEST], where NAME is [HOST/]PATH.
// The grammar (distribution/reference, reference.go):
//
//   reference := name [":" tag] ["@" digest]
//   name      := [domain "/"] path-component ["/" path-component]*
//   domain    := host [":" port]          (only when the first of two or more components contains
//                                          "." or ":" or is "localhost"; see looksLikeHost)
//
// Errors are InvalidReferenceError (a UserError, code INVALID_REFERENCE) whose one-line message
// starts with the reference as the user wrote it and names the offending part.
import {
  NAME_MAX_LENGTH,
  InvalidReferenceError,
  checkDigest,
  checkHost,
  checkPathComponent,
  checkTag,
  looksLikeHost,
} from './grammar.js';

export { InvalidReferenceError, NAME_MAX_LENGTH, TAG_MAX_LENGTH, checkDigest, checkOciLayoutTag, checkTag, isOciRefName, isValidDigest, isValidTag } from './grammar.js';

/** Docker Hub's canonical registry name, and the host its API answers on. */
export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', DOCKER_HUB_API_HOST]);

/** A repository name as written: `host` only when the name has one (nothing is normalised). */
export interface Name {
  host?: string;
  /** "/"-joined path components, e.g. "team/app". */
  path: string;
}

/** A reference as written: NAME[:TAG][@DIGEST], validated, not normalised. */
export interface Reference {
  name: Name;
  tag?: string;
  digest?: string;
}

/** A docker:// reference, normalised for talking to the registry. */
export interface RegistryReference {
  /** As the user wrote it, except that Docker Hub's aliases become "docker.io": used to look up credentials and in messages. */
  registry: string;
  /** host[:port] to talk to (docker.io → registry-1.docker.io). */
  apiHost: string;
  /** The path, with "library/" before a one-component name on Docker Hub. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** NAME[:TAG] as docker-daemon:, podman: and docker-archive: take it. */
export interface NameTag {
  /** As written (a daemon normalises it itself). */
  name: string;
  /** absent: the image's own tag (the store hash), as nix2container does */
  tag?: string;
}

/** docker.io, index.docker.io and registry-1.docker.io (in any case). */
export function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_ALIASES.has(registry.toLowerCase());
}

/**
 * Parses a repository name "[HOST/]PATH" (no tag, no digest) → { host?, path }.
 * The first of two or more components is the host when it contains "." or ":" or is "localhost"
 * (distribution/reference normalize.go, splitDockerDomain, without its later uppercase rule); the
 * host may have uppercase letters, a :PORT, or be an [IPv6] address (reference.go: domain). Each
 * path component is [a-z0-9]+ joined by ".", "_", "__" or a run of "-" (reference.go:
 * path-component); the whole name is at most 255 characters (RepositoryNameTotalLengthMax).
 * Throws InvalidReferenceError "CONTEXT: …" naming the empty name, the bad host or component, or the length.
 */
export function parseName(name: string, context: string = name): Name {
  if (name === '') throw new InvalidReferenceError(`${context}: the image name is empty`);
  const parts = name.split('/');
  const host = parts.length > 1 && looksLikeHost(parts[0]) ? checkHost(parts.shift()!, context) : undefined;
  parts.forEach((p, i) => checkPathComponent(p, context, i === 0 && host === undefined));
  if (name.length > NAME_MAX_LENGTH) throw new InvalidReferenceError(`${context}: the name is ${name.length} characters long; at most ${NAME_MAX_LENGTH} are allowed`);
  return { host, path: parts.join('/') };
}

/** { host, path } → "HOST/PATH" (or "PATH"). */
export function formatName(n: Name): string {
  return n.host === undefined ? n.path : `${n.host}/${n.path}`;
}

/**
 * Parses "NAME[:TAG][@DIGEST]" → { name, tag?, digest? }, validated but not normalised
 * (reference.go: reference := name [":" tag] ["@" digest]). The digest is what follows the first
 * "@"; the tag is what follows the last ":" after the last "/" (a ":" before that belongs to the
 * host). An empty tag or digest (a trailing ":" or "@") is an error; so is any digest but sha256.
 * Throws InvalidReferenceError "CONTEXT: …" (see parseName, checkTag, checkDigest).
 */
export function parseReference(ref: string, context: string = ref): Reference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = checkDigest(rest.slice(at + 1), context);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = checkTag(rest.slice(colon + 1), context);
    rest = rest.slice(0, colon);
  }
  return { name: parseName(rest, context), tag, digest };
}

/** Reference → "NAME[:TAG][@DIGEST]". */
export function formatFullReference(r: Reference): string {
  return `${formatName(r.name)}${r.tag !== undefined ? ':' + r.tag : ''}${r.digest !== undefined ? '@' + r.digest : ''}`;
}

/**
 * Parses the part after docker:// ("HOST/NAME[:TAG][@DIGEST]", a leading "//" tolerated) and
 * normalises it as distribution's ParseNormalizedNamed does: a name without a host is on Docker
 * Hub; Docker Hub's aliases become registry "docker.io" with API host registry-1.docker.io; a
 * one-component name there gets "library/". → { registry, apiHost, repository, tag?, digest? }.
 * `context` starts error messages (default "docker://REF"); errors as parseReference.
 */
export function parseRegistryReference(ref: string, context?: string): RegistryReference {
  const rest = ref.replace(/^\/\//, '');
  const { name, tag, digest } = parseReference(rest, context ?? `docker://${rest}`);
  const hub = name.host === undefined || isDockerHub(name.host);
  const registry = hub ? DOCKER_HUB : name.host!;
  const repository = hub && !name.path.includes('/') ? `library/${name.path}` : name.path;
  return { registry, apiHost: hub ? DOCKER_HUB_API_HOST : registry, repository, tag, digest };
}

/** "REGISTRY/REPOSITORY[:TAG]", e.g. "docker.io/library/debian:12". */
export function formatReference(r: RegistryReference, tag?: string): string {
  return `${r.registry}/${r.repository}${tag ? ':' + tag : ''}`;
}

/**
 * Parses NAME[:TAG] as written after docker-daemon:, podman: and docker-archive:FILE: (NAME may
 * carry a registry host:port; it is returned as written). Digests are refused: a daemon tags
 * an image, it cannot name one by digest. Errors start with `context` (default "TRANSPORT:REST").
 */
export function parseNameTag(rest: string, transport: string, context = `${transport}:${rest}`): NameTag {
  if (rest.includes('@')) throw new InvalidReferenceError(`${context}: digests cannot be used as names; give NAME:TAG`);
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  const name = hasTag ? rest.slice(0, colon) : rest;
  if (!name) throw new InvalidReferenceError(`${context}: needs an image name, as in ${transport}:NAME:TAG`);
  const tag = hasTag ? checkTag(rest.slice(colon + 1), context) : undefined;
  parseName(name, context);
  return { name, tag };
}
