#!/usr/bin/env node
// Dispatches to the part of longshore a process needs, loading only that part: Nix builds run
// build-layers/build-image many times, and the user CLI (yargs, the registry and daemon clients)
// would slow each start. The build-time commands are those of build-cli.ts's table.
import module from 'node:module';
import { isBuildCommand, runBuild } from './build-cli.js';
import { isDigestWorker } from './tar/worker-role.js';
import { UserError } from './util/errors.js';

/** The commands that print JSON (copy, inspect, index create) print a failure as JSON too, with its code. */
const wantsJson = (argv: string[]): boolean => argv.some((a) => a === '--json' || a === '--json=true');

function fatal(e: unknown): never {
  if (e instanceof UserError) {
    process.stderr.write(`longshore: error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
    if (wantsJson(process.argv.slice(3))) process.stdout.write(JSON.stringify({ error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } }) + '\n');
  } else {
    process.stderr.write(`longshore: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
  }
  process.exit(1);
}

try {
  const cmd = process.argv[2];
  if (isDigestWorker()) (await import('./tar/digest-pool.js')).serveDigests();
  else if (isBuildCommand(cmd)) await runBuild(process.argv.slice(2), import.meta.url);
  else {
    // Node's compile cache (in os.tmpdir()/node-compile-cache unless NODE_COMPILE_CACHE names another
    // directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off) saves a no-op push about 10 ms of
    // compiling undici and the CLI (docs/registry.md). Not for the build-time commands: a Nix build's
    // temporary directory starts empty every time.
    module.enableCompileCache();
    // `copy` on its fast path when the command line is plain (src/copy-fast.ts), else through yargs.
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
