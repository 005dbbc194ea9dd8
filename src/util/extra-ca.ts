// NODE_EXTRA_CA_CERTS, as handed over by the launcher (bin/longshore). Node reads and parses every
// certificate in that file before it runs any script: about 40 ms for a system bundle, paid on every
// run of the edit/push loop, which mostly talks to a local daemon or a plain-HTTP registry. The
// launcher moves the file name to LONGSHORE_EXTRA_CA_CERTS; the registry client adds the
// certificates when it opens its first TLS connection (src/registry/tls.ts).
const HANDOVER_ENV = 'LONGSHORE_EXTRA_CA_CERTS';

let handed: string | undefined;

/**
 * Called once at start-up. Puts NODE_EXTRA_CA_CERTS back into the environment, so that the programs
 * longshore starts (credential helpers, podman, nix-store) see what the user set.
 */
export function takeHandedOverCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[HANDOVER_ENV];
  if (file === undefined) return;
  delete env[HANDOVER_ENV];
  if (file === '') return;
  handed = file;
  env.NODE_EXTRA_CA_CERTS = file;
}

/** The extra CA file Node did not load at start-up because the launcher deferred it. */
export const deferredExtraCaFile = (): string | undefined => handed;
