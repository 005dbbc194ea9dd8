// Commands run inside Nix derivations. Argument parsing by hand: these run in every image build,
// so they avoid loading the user CLI's dependencies.
import { buildImageCommand } from './commands/build-image.js';
import { buildLayersCommand } from './commands/build-layers.js';
import { UserError } from './util/errors.js';

function parseFlags(args: string[], known: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!m || !known.includes(m[1])) throw new UserError(`unexpected argument ${JSON.stringify(args[i])}; expected ${known.map((k) => `--${k}`).join(', ')}`);
    out[m[1]] = m[2] ?? args[++i];
    if (out[m[1]] === undefined) throw new UserError(`--${m[1]} needs a value`);
  }
  return out;
}

export async function runBuild(args: string[], entryUrl: string): Promise<void> {
  const [cmd, ...rest] = args;
  if (cmd === 'build-layers') {
    const f = parseFlags(rest, ['attrs']);
    await buildLayersCommand({ attrs: f.attrs, entryUrl });
  } else if (cmd === 'build-image') {
    const f = parseFlags(rest, ['attrs']);
    await buildImageCommand({ attrs: f.attrs, entryUrl });
  }
}
