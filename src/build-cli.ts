// Commands run inside Nix derivations: one table, name → flags → handler, which src/entry.ts
// dispatches on. Argument parsing by hand and each handler imported only when it runs: these run in
// every image build, so they avoid loading the user CLI's dependencies (yargs, undici, execa).
import { UserError } from './util/errors.js';

type Flags = Record<string, string | undefined>;

interface BuildCommand {
  /** The --flags it takes, each with a value (`--flag VALUE` or `--flag=VALUE`). */
  flags: readonly string[];
  /** Those it cannot run without. */
  required?: readonly string[];
  run(f: Flags, entryUrl: string): Promise<void>;
}

function boolFlag(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new UserError('USAGE', `expected true or false, got ${JSON.stringify(v)}`);
}

export const BUILD_COMMANDS: Readonly<Record<string, BuildCommand>> = {
  'build-layers': {
    flags: ['attrs'],
    run: async (f, entryUrl) => (await import('./commands/build-layers.js')).buildLayersCommand({ attrs: f.attrs, entryUrl }),
  },
  'build-image': {
    flags: ['attrs'],
    run: async (f, entryUrl) => (await import('./commands/build-image.js')).buildImageCommand({ attrs: f.attrs, entryUrl }),
  },
  'build-nix-db': {
    flags: ['attrs'],
    run: async (f) => (await import('./commands/build-nix-db.js')).buildNixDbCommand({ attrs: f.attrs }),
  },
  'base-layers': {
    flags: ['attrs'],
    run: async (f) => (await import('./commands/base-layers.js')).baseLayersCommand({ attrs: f.attrs }),
  },
  // Base images (issue 5): one registry blob into a fixed-output derivation's $out.
  'fetch-blob': {
    flags: ['registry', 'repository', 'digest', 'size', 'out', 'tls-verify', 'ca-cert', 'manifest'],
    required: ['registry', 'repository', 'digest', 'out'],
    run: async (f) =>
      (await import('./commands/fetch-blob.js')).fetchBlobCommand({
        registry: f.registry!,
        repository: f.repository!,
        digest: f.digest!,
        size: f.size ? Number(f.size) : undefined,
        out: f.out!,
        tlsVerify: boolFlag(f['tls-verify']),
        caCert: f['ca-cert'] || undefined,
        manifest: boolFlag(f.manifest),
      }),
  },
  'fetch-image': {
    flags: ['reference', 'os', 'arch', 'variant', 'out', 'tls-verify', 'ca-cert', 'expected-hash'],
    required: ['reference', 'out'],
    run: async (f) =>
      (await import('./commands/fetch-blob.js')).fetchImageCommand({
        reference: f.reference!,
        platform: { os: f.os || 'linux', architecture: f.arch || 'amd64', ...(f.variant ? { variant: f.variant } : {}) },
        out: f.out!,
        tlsVerify: boolFlag(f['tls-verify']),
        caCert: f['ca-cert'] || undefined,
        expectedHash: f['expected-hash'],
      }),
  },
};

export const isBuildCommand = (cmd: string | undefined): boolean => cmd !== undefined && Object.hasOwn(BUILD_COMMANDS, cmd);

export function parseFlags(args: readonly string[], known: readonly string[]): Flags {
  const out: Flags = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!m || !known.includes(m[1])) throw new UserError('USAGE', `unexpected argument ${JSON.stringify(args[i])}; expected ${known.map((k) => `--${k}`).join(', ')}`);
    out[m[1]] = m[2] ?? args[++i];
    if (out[m[1]] === undefined) throw new UserError('USAGE', `--${m[1]} needs a value`);
  }
  return out;
}

/** Runs `args` (command name first), which isBuildCommand accepted. */
export async function runBuild(args: readonly string[], entryUrl: string): Promise<void> {
  const [cmd, ...rest] = args;
  const c = BUILD_COMMANDS[cmd];
  if (!c || !Object.hasOwn(BUILD_COMMANDS, cmd)) throw new UserError('USAGE', `${cmd}: not a build-time command; expected one of ${Object.keys(BUILD_COMMANDS).join(', ')}`);
  const f = parseFlags(rest, c.flags);
  for (const k of c.required ?? []) if (!f[k]) throw new UserError('USAGE', `${cmd}: --${k} is required`);
  await c.run(f, entryUrl);
}
