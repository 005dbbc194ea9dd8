// The image reference grammar, once: registry host, repository path components, tag, digest, and
// the OCI layout's ref.name. The spec is distribution/reference (the grammar in its reference.go,
// the patterns in its regexp.go); go-containerregistry's pkg/name is the model for the API.
// nix/reference.nix holds the same rules for buildImage, in builtins.match's POSIX syntax, and
// test/reference/names.ts is the one table both are tested against.
import { UserError } from '../util/errors.js';

/**
 * distribution/reference's RepositoryNameTotalLengthMax, counted over the name as written, host
 * included (as containers/image counts it; distribution/reference v0.6 counts the path alone).
 */
export const NAME_MAX_LENGTH = 255;
/** distribution/reference tag := /[\w][\w.-]{0,127}/ */
export const TAG_MAX_LENGTH = 128;

/** A reference (name, tag or digest) that the grammar refuses. */
export class InvalidReferenceError extends UserError {
  constructor(message: string, hint?: string) {
    super('INVALID_REFERENCE', message, hint);
    this.name = 'InvalidReferenceError';
  }
}

// domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
// domain := host [':' port-number]; host := domain-name | IPv4address | '[' IPv6address ']'
// (IPv4 is a domain-name of digits; IPv6 as distribution has it: hex digits and colons, no zone).
const HOST = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
// path-component := alpha-numeric [separator alpha-numeric]*; separator := /[_.]|__|[-]+/
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// OCI image-spec annotations.md, org.opencontainers.image.ref.name:
// ref ::= component ("/" component)*; component ::= alphanum (separator alphanum)*;
// alphanum ::= [A-Za-z0-9]+; separator ::= [-._:@+] | "--"
const OCI_REF_COMPONENT = '[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*';
const OCI_REF_NAME = new RegExp(`^${OCI_REF_COMPONENT}(?:/${OCI_REF_COMPONENT})*$`);
// OCI image-spec descriptor.md: algorithm ::= component (separator component)*, encoded ::= [a-zA-Z0-9=_-]+
const DIGEST_SHAPE = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
const SHA256_HEX = /^[a-f0-9]{64}$/;

const PATH_RULE = 'lowercase letters and digits, joined by ".", "_", "__" or dashes';
const HOST_RULE = 'dot-separated parts of letters, digits and inner "-", or an [IPv6] address, then an optional :PORT';
const TAG_RULE = `1 to ${TAG_MAX_LENGTH} letters, digits, "_", "." and "-", not starting with "." or "-"`;

/**
 * distribution's rule for whether a name's first component (of two or more) is a registry host:
 * it contains "." or ":" (a domain, an IPv4 address, a port, an [IPv6] address) or is "localhost".
 * A first component with uppercase letters and neither is not a host but an invalid path component,
 * as in containers/image (Podman); Docker since distribution/reference v0.6 would take it as a host.
 */
export function looksLikeHost(firstComponent: string): boolean {
  return /[.:]/.test(firstComponent) || firstComponent === 'localhost';
}

export const isValidHost = (host: string): boolean => HOST.test(host);
export const isValidPathComponent = (component: string): boolean => PATH_COMPONENT.test(component);
export const isValidTag = (tag: string): boolean => TAG.test(tag);
/** A digest longshore can use: sha256 with 64 lowercase hex digits. */
export const isValidDigest = (digest: string): boolean => digest.startsWith('sha256:') && SHA256_HEX.test(digest.slice(7));
/** The OCI annotation grammar of org.opencontainers.image.ref.name (what skopeo and umoci accept as oci:DIR:REF). */
export const isOciRefName = (ref: string): boolean => OCI_REF_NAME.test(ref);

/** Throws InvalidReferenceError("CONTEXT: registry host …") unless `host` is a valid registry host. */
export function checkHost(host: string, context: string): string {
  if (!isValidHost(host)) throw new InvalidReferenceError(`${context}: registry host ${JSON.stringify(host)} is not valid (${HOST_RULE})`);
  return host;
}

/**
 * Throws InvalidReferenceError("CONTEXT: repository component …") unless `component` is a valid
 * path component. `first`: it is the name's first component, so the message can say how a host
 * would have been recognised.
 */
export function checkPathComponent(component: string, context: string, first = false): string {
  if (isValidPathComponent(component)) return component;
  if (component === '') throw new InvalidReferenceError(`${context}: empty repository component (a "/" at the start or the end, or "//")`);
  const upper = /[A-Z]/.test(component);
  const why = upper
    ? first
      ? `uppercase letters are allowed only in a registry host, which needs a "." or ":" (or is localhost) and a "/NAME" after it`
      : 'uppercase letters are allowed only in the registry host'
    : PATH_RULE;
  throw new InvalidReferenceError(`${context}: repository component ${JSON.stringify(component)} is not valid (${why})`);
}

/** Throws InvalidReferenceError("CONTEXT: tag …") unless `tag` is a valid tag. Returns it. */
export function checkTag(tag: string, context: string): string {
  if (isValidTag(tag)) return tag;
  if (tag.length > TAG_MAX_LENGTH) throw new InvalidReferenceError(`${context}: tag ${JSON.stringify(tag)} is ${tag.length} characters long; at most ${TAG_MAX_LENGTH} are allowed`);
  throw new InvalidReferenceError(`${context}: tag ${JSON.stringify(tag)} is not valid (${TAG_RULE})`);
}

/**
 * The TAG of oci:DIR:TAG and oci-archive:FILE:TAG, written as the layout's
 * org.opencontainers.image.ref.name: a valid tag that is also a valid OCI ref name, so that the
 * same name can be pushed as a tag later and read back by skopeo and umoci (oci:DIR:REF). Tags
 * outside the OCI grammar are those starting with "_" or ending with a separator, and those with
 * "__" or runs of "." or "_". Returns the tag.
 */
export function checkOciLayoutTag(tag: string, context: string): string {
  checkTag(tag, context);
  if (!isOciRefName(tag))
    throw new InvalidReferenceError(
      `${context}: tag ${JSON.stringify(tag)} is not a valid OCI layout reference name (org.opencontainers.image.ref.name: letters and digits, joined by one of "-", ".", "_" or "--"), so skopeo and umoci could not read it back`,
    );
  return tag;
}

/**
 * Throws InvalidReferenceError("CONTEXT: digest …") unless `digest` is "sha256:" and 64 lowercase
 * hex digits. Other well-formed algorithms (OCI descriptor grammar) get "not supported".
 */
export function checkDigest(digest: string, context: string): string {
  if (isValidDigest(digest)) return digest;
  const m = DIGEST_SHAPE.exec(digest);
  if (!m) throw new InvalidReferenceError(`${context}: digest ${JSON.stringify(digest)} is not valid (ALGORITHM:HEX, as in sha256:<64 hex digits>)`);
  if (m[1] !== 'sha256') throw new InvalidReferenceError(`${context}: digest algorithm ${JSON.stringify(m[1])} is not supported (only sha256)`);
  throw new InvalidReferenceError(`${context}: digest ${JSON.stringify(digest)} is not valid (a sha256 digest has 64 lowercase hex digits)`);
}
