// NAME[:TAG] as written after docker-daemon: / podman: (NAME may carry a registry host:port).
import { UserError } from '../util/errors.js';

export interface NameTag {
  name: string;
  /** absent: the image's own tag (the store hash), as nix2container does */
  tag?: string;
}

export function parseNameTag(rest: string, transport: string): NameTag {
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  const name = hasTag ? rest.slice(0, colon) : rest;
  const tag = (hasTag ? rest.slice(colon + 1) : '') || undefined;
  if (!name) throw new UserError(`${transport}: needs an image name, as in ${transport}:NAME:TAG`);
  if (rest.includes('@')) throw new UserError(`${transport}: digests cannot be used as names; give NAME:TAG`);
  if (!/^[a-z0-9]+(?:[._/:-][a-z0-9]+|__[a-z0-9]+)*$/.test(name)) throw new UserError(`${transport}: invalid image name ${JSON.stringify(name)} (lowercase letters, digits and ._-/ only)`);
  if (tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) throw new UserError(`${transport}: invalid tag ${JSON.stringify(tag)}`);
  return { name, tag };
}
