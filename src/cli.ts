// The user-facing commands (yargs). Build-time commands live in build-cli.ts, kept light for Nix builds.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { copyCommand } from './commands/copy.js';
import { annotationsArg, COPY_OPTIONS, toCopyArgs } from './commands/copy-options.js';
import type { CopyArgs } from './commands/copy.js';
import { inspectCommand } from './commands/inspect.js';
import type { LockArgs } from './commands/lock.js';

// Set by scripts/bundle.mjs from package.json.
declare const LONGSHORE_VERSION: string | undefined;
const version = typeof LONGSHORE_VERSION === 'string' ? LONGSHORE_VERSION : 'development';

export interface CliHooks {
  /** Runs `copy` with its parsed arguments; copyCommand by default. */
  copy?: (a: CopyArgs) => Promise<unknown>;
  /** A usage error; by default the help and the message go to stderr, and the exit status is 2. */
  usageError?: (msg: string) => never;
}

/** What `lock` and `manifest` take: the reference, the platform, credentials and TLS. */
function sourceOptions<T>(y: Argv<T>) {
  return y
    .positional('reference', { type: 'string', demandOption: true, describe: 'docker://HOST/NAME[:TAG|@DIGEST]' })
    .option('os', { type: 'string', default: 'linux', describe: 'platform OS to pick from a multi-arch index' })
    .option('arch', { type: 'string', default: 'amd64', describe: 'platform architecture (amd64, arm64, …)' })
    .option('variant', { type: 'string', describe: 'platform variant (v7, v8, …)' })
    .option('tls-verify', { type: 'boolean', describe: 'verify TLS (default true; false also allows plain HTTP)' })
    .option('creds', { type: 'string', describe: 'registry credentials USER:PASSWORD' })
    .option('src-creds', { type: 'string', hidden: true })
    .option('registry-token', { type: 'string', describe: 'bearer token for the registry' })
    .option('creds-file', { type: 'string', describe: 'file with USERNAME=/PASSWORD= or BEARER_TOKEN= lines' })
    .option('authfile', { type: 'string', describe: 'auth.json / config.json to read credentials from' })
    .option('ca-cert', { type: 'string', describe: 'extra CA certificate (PEM) to trust' });
}

type SourceArgv = ReturnType<typeof sourceOptions<{ output: string | undefined }>> extends Argv<infer U> ? U : never;

function sourceArgs(a: SourceArgv): LockArgs {
  return {
    reference: a.reference!,
    output: a.output,
    os: a.os,
    arch: a.arch,
    variant: a.variant,
    tlsVerify: a['tls-verify'],
    creds: a.creds ?? a['src-creds'],
    registryToken: a['registry-token'],
    credsFile: a['creds-file'],
    authfile: a.authfile,
    caCert: a['ca-cert'],
  };
}

/** Options (of any command) that keep every value given: the rest keep their last. */
const REPEATABLE = new Set([...Object.entries(COPY_OPTIONS).filter(([, s]) => s.array).map(([n]) => n), 'sources']);

function lastValueWins(argv: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(argv)) if (Array.isArray(v) && k !== '_' && !REPEATABLE.has(k)) argv[k] = v.at(-1);
}

/** The yargs parser of the user CLI, for argv without the node and script names. */
export function cli(argv: string[], hooks: CliHooks = {}) {
  const copy = hooks.copy ?? copyCommand;
  return yargs(argv)
    .scriptName('longshore')
    // A repeated option's last value wins (as in skopeo), except a repeatable one's (--tag), whose
    // values are all kept; `--tag a b` is one tag and a positional; `--creds.x` is no object.
    .parserConfiguration({ 'duplicate-arguments-array': true, 'greedy-arrays': false, 'dot-notation': false })
    .middleware(lastValueWins, true)
    .usage('$0 <command> [options]\n\nArchive-less container images for Nix.')
    .command(
      'copy <image> <destination>',
      'copy an image built by the Nix library to oci:DIR[:TAG], dir:DIR, docker://HOST/NAME[:TAG], docker-daemon:NAME:TAG, podman:NAME:TAG, containers-storage:[NAME[:TAG]], docker-archive:FILE[:NAME[:TAG]], oci-archive:FILE[:TAG]',
      (y) =>
        y
          .positional('image', { type: 'string', demandOption: true, describe: 'image JSON (a buildImage output) or index JSON (a buildImageIndex output)' })
          .positional('destination', { type: 'string', demandOption: true })
          .options(COPY_OPTIONS),
      async (a) => {
        await copy(toCopyArgs(String(a.image), String(a.destination), a));
      },
    )
    .command(
      'lock <reference>',
      'pin a base image for pullImageFromManifest: write its platform manifest, config and layer digests to a lock JSON',
      (y) => sourceOptions(y.option('output', { alias: 'o', type: 'string', describe: 'lock file to write (default: stdout)' })),
      async (a) => {
        const { lockCommand } = await import('./commands/lock.js');
        await lockCommand(sourceArgs(a));
      },
    )
    .command(
      'manifest <reference>',
      "print a base image's platform manifest as the registry serves it (nix2container's format for pullImageFromManifest, what its getManifest prints)",
      (y) => sourceOptions(y.option('output', { alias: 'o', type: 'string', describe: 'file to write (default: stdout)' })),
      async (a) => {
        const { manifestCommand } = await import('./commands/lock.js');
        await manifestCommand(sourceArgs(a));
      },
    )
    .command('index', 'image indexes in a registry: one name for images of several platforms', (y) =>
      y
        .command(
          'create <destination> <sources..>',
          'join images already pushed (each built on its own machine, say) into one OCI image index: longshore index create docker://HOST/app:1.0 docker://HOST/app:1.0-amd64 docker://HOST/app:1.0-arm64',
          (z) =>
            z
              .positional('destination', { type: 'string', demandOption: true, describe: 'docker://HOST/NAME[:TAG]: the index' })
              .positional('sources', { type: 'string', array: true, demandOption: true, describe: 'docker://HOST/NAME[:TAG|@DIGEST] on the same registry: images (or indexes) whose platforms their configs name' })
              .option('annotation', COPY_OPTIONS.annotation)
              .option('tag', { ...COPY_OPTIONS.tag, describe: 'also put the index under this tag; repeatable' })
              .option('tls-verify', COPY_OPTIONS['tls-verify'])
              .option('creds', COPY_OPTIONS.creds)
              .option('registry-token', COPY_OPTIONS['registry-token'])
              .option('creds-file', COPY_OPTIONS['creds-file'])
              .option('authfile', COPY_OPTIONS.authfile)
              .option('ca-cert', COPY_OPTIONS['ca-cert'])
              .option('json', COPY_OPTIONS.json)
              .option('quiet', COPY_OPTIONS.quiet),
          async (a) => {
            const { indexCreate } = await import('./commands/index-create.js');
            const list = (v: unknown): string[] | undefined => (v === undefined ? undefined : (v as unknown[]).map(String));
            await indexCreate({
              destination: String(a.destination),
              sources: list(a.sources) ?? [],
              annotations: annotationsArg(list(a.annotation)),
              tags: list(a.tag),
              tlsVerify: a['tls-verify'] as boolean | undefined,
              creds: a.creds as string | undefined,
              registryToken: a['registry-token'] as string | undefined,
              credsFile: a['creds-file'] as string | undefined,
              authfile: a.authfile as string | undefined,
              caCert: a['ca-cert'] as string | undefined,
              json: a.json as boolean | undefined,
              quiet: a.quiet as boolean | undefined,
            });
          },
        )
        .demandCommand(1, 'name an index command: create'),
    )
    .command(
      'inspect <image>',
      'show the layers of an image JSON with their sizes and store paths, or the images of an index JSON',
      (y) => y.positional('image', { type: 'string', demandOption: true }).option('json', { type: 'boolean' }),
      (a) => inspectCommand({ image: a.image!, json: a.json }),
    )
    .demandCommand(1, 'name a command; see --help')
    .strict()
    .fail((msg, err, y) => {
      if (err) throw err;
      if (hooks.usageError) hooks.usageError(msg);
      process.stderr.write(`${y.help()}\n\nlongshore: ${msg}\n`);
      process.exit(2);
    })
    .version(version)
    .help();
}

export async function run(argv: string[] = hideBin(process.argv)): Promise<void> {
  await cli(argv).parseAsync();
}
