#!/usr/bin/env node
// Dispatches to the part of longshore a process needs, loading only that part: Nix builds run
// build-layers/build-image many times, and the registry and daemon clients would slow each start.
import { isDigestWorker } from './tar/worker-role.js';
import { UserError } from './util/errors.js';
import { takeHandedOverCaCerts } from './util/extra-ca.js';

takeHandedOverCaCerts();

function fatal(e: unknown): never {
  if (e instanceof UserError) {
    process.stderr.write(`longshore: error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
  } else {
    process.stderr.write(`longshore: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
  }
  process.exit(1);
}

try {
  const cmd = process.argv[2];
  if (isDigestWorker()) (await import('./tar/digest-pool.js')).serveDigests();
  else if (['build-layers', 'build-image', 'build-nix-db', 'fetch-blob', 'fetch-image', 'base-layers'].includes(cmd)) await (await import('./build-cli.js')).runBuild(process.argv.slice(2), import.meta.url);
  else {
    const copy = cmd === 'copy' ? await import('./copy-main.js') : undefined;
    const fast = copy?.parseCopyFast(process.argv.slice(2));
    if (fast && copy) await copy.copyCommand(fast);
    else await (await import('./cli.js')).run();
    // Idle keep-alive sockets and timers must not hold a finished command open.
    process.exit(process.exitCode ?? 0);
  }
} catch (e) {
  fatal(e);
}
