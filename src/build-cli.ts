// Commands run inside Nix derivations. Argument parsing by hand: these run in every image build,
// so they avoid loading the user CLI's dependencies.
import { buildImageCommand } from './commands/build-image.js';
import { buildLayersCommand } from './commands/build-layers.js';
import { UserError } from './util/errors.js';

function parseFlags(args: string[], known: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!m || !known.includes(m[1])) throw new UserError('USAGE', `unexpected argument ${JSON.stringify(args[i])}; expected ${known.map((k) => `--${k}`).join(', ')}`);
    out[m[1]] = m[2] ?? args[++i];
    if (out[m[1]] === undefined) throw new UserError('USAGE', `--${m[1]} needs a value`);
  }
  return out;
}

function boolFlag(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new UserError('USAGE', `expected true or false, got ${JSON.stringify(v)}`);
}

export async function runBuild(args: string[], entryUrl: string): Promise<void> {
  const [cmd, ...rest] = args;
  if (cmd === 'build-layers') {
    const f = parseFlags(rest, ['attrs']);
    await buildLayersCommand({ attrs: f.attrs, entryUrl });
  } else if (cmd === 'build-image') {
    const f = parseFlags(rest, ['attrs']);
    await buildImageCommand({ attrs: f.attrs, entryUrl });
  } else if (cmd === 'fetch-blob') {
    // Base images (issue 5): one registry blob into a fixed-output derivation's $out.
    const f = parseFlags(rest, ['registry', 'repository', 'digest', 'size', 'out', 'tls-verify', 'ca-cert']);
    for (const k of ['registry', 'repository', 'digest', 'out']) if (!f[k]) throw new UserError('USAGE', `fetch-blob: --${k} is required`);
    const { fetchBlobCommand } = await import('./commands/fetch-blob.js');
    await fetchBlobCommand({
      registry: f.registry,
      repository: f.repository,
      digest: f.digest,
      size: f.size ? Number(f.size) : undefined,
      out: f.out,
      tlsVerify: boolFlag(f['tls-verify']),
      caCert: f['ca-cert'] || undefined,
    });
  } else if (cmd === 'fetch-image') {
    const f = parseFlags(rest, ['reference', 'os', 'arch', 'variant', 'out', 'tls-verify', 'ca-cert']);
    for (const k of ['reference', 'out']) if (!f[k]) throw new UserError('USAGE', `fetch-image: --${k} is required`);
    const { fetchImageCommand } = await import('./commands/fetch-blob.js');
    await fetchImageCommand({
      reference: f.reference,
      platform: { os: f.os || 'linux', architecture: f.arch || 'amd64', ...(f.variant ? { variant: f.variant } : {}) },
      out: f.out,
      tlsVerify: boolFlag(f['tls-verify']),
      caCert: f['ca-cert'] || undefined,
    });
  } else if (cmd === 'build-nix-db') {
    const f = parseFlags(rest, ['attrs']);
    const { buildNixDbCommand } = await import('./commands/build-nix-db.js');
    buildNixDbCommand({ attrs: f.attrs });
  } else if (cmd === 'base-layers') {
    const f = parseFlags(rest, ['attrs']);
    const { baseLayersCommand } = await import('./commands/base-layers.js');
    baseLayersCommand({ attrs: f.attrs });
  }
}
