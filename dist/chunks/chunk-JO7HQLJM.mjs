import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/reference/grammar.ts
var NAME_MAX_LENGTH = 255;
var TAG_MAX_LENGTH = 128;
var InvalidReferenceError = class extends UserError {
  constructor(message, hint) {
    super("INVALID_REFERENCE", message, hint);
    this.name = "InvalidReferenceError";
  }
};
var DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
var HOST = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
var PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
var TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
var OCI_REF_COMPONENT = "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*";
var OCI_REF_NAME = new RegExp(`^${OCI_REF_COMPONENT}(?:/${OCI_REF_COMPONENT})*$`);
var DIGEST_SHAPE = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
var SHA256_HEX = /^[a-f0-9]{64}$/;
var PATH_RULE = 'lowercase letters and digits, joined by ".", "_", "__" or dashes';
var HOST_RULE = 'dot-separated parts of letters, digits and inner "-", or an [IPv6] address, then an optional :PORT';
var TAG_RULE = `1 to ${TAG_MAX_LENGTH} letters, digits, "_", "." and "-", not starting with "." or "-"`;
function looksLikeHost(firstComponent) {
  return /[.:]/.test(firstComponent) || firstComponent === "localhost";
}
var isValidHost = (host) => HOST.test(host);
var isValidPathComponent = (component) => PATH_COMPONENT.test(component);
var isValidTag = (tag) => TAG.test(tag);
var isValidDigest = (digest) => digest.startsWith("sha256:") && SHA256_HEX.test(digest.slice(7));
var isOciRefName = (ref) => OCI_REF_NAME.test(ref);
function checkHost(host, context) {
  if (!isValidHost(host)) throw new InvalidReferenceError(`${context}: registry host ${JSON.stringify(host)} is not valid (${HOST_RULE})`);
  return host;
}
function checkPathComponent(component, context, first = false) {
  if (isValidPathComponent(component)) return component;
  if (component === "") throw new InvalidReferenceError(`${context}: empty repository component (a "/" at the start or the end, or "//")`);
  const upper = /[A-Z]/.test(component);
  const why = upper ? first ? `uppercase letters are allowed only in a registry host, which needs a "." or ":" (or is localhost) and a "/NAME" after it` : "uppercase letters are allowed only in the registry host" : PATH_RULE;
  throw new InvalidReferenceError(`${context}: repository component ${JSON.stringify(component)} is not valid (${why})`);
}
function checkTag(tag, context) {
  if (isValidTag(tag)) return tag;
  if (tag.length > TAG_MAX_LENGTH) throw new InvalidReferenceError(`${context}: tag ${JSON.stringify(tag)} is ${tag.length} characters long; at most ${TAG_MAX_LENGTH} are allowed`);
  throw new InvalidReferenceError(`${context}: tag ${JSON.stringify(tag)} is not valid (${TAG_RULE})`);
}
function checkOciLayoutTag(tag, context) {
  checkTag(tag, context);
  if (!isOciRefName(tag))
    throw new InvalidReferenceError(
      `${context}: tag ${JSON.stringify(tag)} is not a valid OCI layout reference name (org.opencontainers.image.ref.name: letters and digits, joined by one of "-", ".", "_" or "--"), so skopeo and umoci could not read it back`
    );
  return tag;
}
function checkDigest(digest, context) {
  if (isValidDigest(digest)) return digest;
  const m = DIGEST_SHAPE.exec(digest);
  if (!m) throw new InvalidReferenceError(`${context}: digest ${JSON.stringify(digest)} is not valid (ALGORITHM:HEX, as in sha256:<64 hex digits>)`);
  if (m[1] !== "sha256") throw new InvalidReferenceError(`${context}: digest algorithm ${JSON.stringify(m[1])} is not supported (only sha256)`);
  throw new InvalidReferenceError(`${context}: digest ${JSON.stringify(digest)} is not valid (a sha256 digest has 64 lowercase hex digits)`);
}

// src/reference/reference.ts
var DOCKER_HUB = "docker.io";
var DOCKER_HUB_API_HOST = "registry-1.docker.io";
var DOCKER_HUB_ALIASES = /* @__PURE__ */ new Set([DOCKER_HUB, "index.docker.io", DOCKER_HUB_API_HOST]);
function isDockerHub(registry) {
  return DOCKER_HUB_ALIASES.has(registry.toLowerCase());
}
function parseName(name, context = name) {
  if (name === "") throw new InvalidReferenceError(`${context}: the image name is empty`);
  const parts = name.split("/");
  const host = parts.length > 1 && looksLikeHost(parts[0]) ? checkHost(parts.shift(), context) : void 0;
  parts.forEach((p, i) => checkPathComponent(p, context, i === 0 && host === void 0));
  if (name.length > NAME_MAX_LENGTH) throw new InvalidReferenceError(`${context}: the name is ${name.length} characters long; at most ${NAME_MAX_LENGTH} are allowed`);
  return { host, path: parts.join("/") };
}
function parseReference(ref, context = ref) {
  let rest = ref;
  let digest;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = checkDigest(rest.slice(at + 1), context);
    rest = rest.slice(0, at);
  }
  let tag;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = checkTag(rest.slice(colon + 1), context);
    rest = rest.slice(0, colon);
  }
  return { name: parseName(rest, context), tag, digest };
}
function parseRegistryReference(ref, context) {
  const rest = ref.replace(/^\/\//, "");
  const { name, tag, digest } = parseReference(rest, context ?? `docker://${rest}`);
  const hub = name.host === void 0 || isDockerHub(name.host);
  const registry = hub ? DOCKER_HUB : name.host;
  const repository = hub && !name.path.includes("/") ? `library/${name.path}` : name.path;
  return { registry, apiHost: hub ? DOCKER_HUB_API_HOST : registry, repository, tag, digest };
}
function formatReference(r, tag) {
  return `${r.registry}/${r.repository}${tag ? ":" + tag : ""}`;
}
function parseNameTag(rest, transport, context = `${transport}:${rest}`) {
  if (rest.includes("@")) throw new InvalidReferenceError(`${context}: digests cannot be used as names; give NAME:TAG`);
  const colon = rest.lastIndexOf(":");
  const hasTag = colon > rest.lastIndexOf("/");
  const name = hasTag ? rest.slice(0, colon) : rest;
  if (!name) throw new InvalidReferenceError(`${context}: needs an image name, as in ${transport}:NAME:TAG`);
  const tag = hasTag ? checkTag(rest.slice(colon + 1), context) : void 0;
  parseName(name, context);
  return { name, tag };
}

export {
  InvalidReferenceError,
  checkTag,
  checkOciLayoutTag,
  isDockerHub,
  parseName,
  parseRegistryReference,
  formatReference,
  parseNameTag
};
