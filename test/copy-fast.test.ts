// `copy` has two parsers over one option table (src/commands/copy-options.ts): the fast path
// (src/copy-fast.ts, node:util) and yargs (src/cli.ts). The fast path may decline a command line
// (then yargs parses it), but whatever it accepts must give what yargs gives, arguments or error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../src/cli.js';
import { COPY_OPTIONS } from '../src/commands/copy-options.js';
import type { CopyArgs } from '../src/commands/copy.js';
import { parseCopyFast } from '../src/copy-fast.js';

type Outcome = { args: CopyArgs } | { error: string } | { declined: true };

class UsageError extends Error {}

async function viaYargs(argv: string[]): Promise<Outcome> {
  let args: CopyArgs | undefined;
  try {
    await cli(['copy', ...argv], {
      copy: async (a) => {
        args = a;
      },
      usageError: (msg) => {
        throw new UsageError(msg);
      },
    })
      .exitProcess(false)
      .parseAsync();
  } catch (e) {
    return { error: (e as Error).message };
  }
  assert.ok(args, `yargs ran no copy for ${JSON.stringify(argv)}`);
  return { args };
}

function viaFast(argv: string[]): Outcome {
  try {
    const args = parseCopyFast(['copy', ...argv]);
    return args ? { args } : { declined: true };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The fast path's answer, when it gives one, is yargs'. Returns both. */
async function agree(argv: string[]): Promise<{ fast: Outcome; yargs: Outcome }> {
  const fast = viaFast(argv);
  const yargs = await viaYargs(argv);
  if (!('declined' in fast)) assert.deepEqual(fast, yargs, `fast path and yargs differ on ${JSON.stringify(argv)}`);
  return { fast, yargs };
}

const IMG = '/nix/store/x-image.json';
const DEST = 'docker://127.0.0.1:5000/app:v1';

/** Values that options checked beyond their type take (others take any string). */
const SAMPLES: Record<string, [string, string]> = { platform: ['linux/arm64', 'linux/arm/v7'], annotation: ['k=v a l', 'org.x=a=b'], tag: ['v a l', 'v=1'] };

/** Plain spellings of each option, which the fast path must take itself. */
function plainForms(name: string): string[][] {
  const spec = COPY_OPTIONS[name];
  const short = spec.alias?.length === 1 ? `-${spec.alias}` : undefined;
  const sample = SAMPLES[name];
  // Repeatable: every value kept, in order.
  if (spec.array) return [[`--${name}`, sample[0]], [`--${name}=${sample[1]}`], [`--${name}`, sample[0], `--${name}=${sample[1]}`], [`--${name}=${sample[1]}`, `--${name}`, name === 'annotation' ? 'a=true' : 'true', `--${name}`, sample[0]]];
  if (sample) return [[`--${name}`, sample[0]], [`--${name}=${sample[1]}`]];
  if (spec.type === 'boolean') return [[`--${name}`], [`--no-${name}`], [`--${name}=true`], [`--${name}=false`], ...(short ? [[short]] : [])];
  if (spec.type === 'number') return [[`--${name}`, '8'], [`--${name}=12`], [`--${name}`, '08'], [`--${name}`, '1'], ...(short ? [[short, '3'], [`${short}7`]] : [])];
  if (spec.values) return spec.values.flatMap((c) => [[`--${name}`, c], [`--${name}=${c}`]]);
  return [[`--${name}`, 'v a l'], [`--${name}=v=1`], [`--${name}=`], [`--${name}=-x`], [`--${name}`, 'true'], ...(short ? [[short, 'v']] : [])];
}

/** Wrong uses of each option: yargs must reject them, and the fast path decline or reject them alike. */
function errorForms(name: string): string[][] {
  const spec = COPY_OPTIONS[name];
  if (spec.type === 'boolean') return [[`--${name}-x`]];
  if (spec.type === 'number') return [[`--${name}`, 'abc'], [`--${name}`, '0'], [`--${name}=0`], [`--${name}`, '-1'], [`--${name}`, '2.5'], [`--no-${name}`], [`--${name}=`]];
  if (spec.array) return [[`--no-${name}`], [`--${name}`], [`--${name}=`], [`--${name}`, ''], [`--${name}`, '-x'], [`--${name}.a`, 'x'], [`--${name}`, 'a', `--no-${name}`], ...(name === 'annotation' ? [[`--${name}`, 'novalue'], [`--${name}=`, '=v']] : [])];
  if (SAMPLES[name]) return [[`--no-${name}`], [`--${name}`, '-x'], [`--${name}.a`, 'x'], [`--${name}`, 'v a l'], [`--${name}=`], [`--${name}`, 'linux']];
  return [[`--no-${name}`], [`--${name}`, '-x'], [`--${name}.a`, 'x'], ...(spec.values ? [[`--${name}`, 'v a l'], [`--${name}=`]] : [])];
}

describe('copy: the fast path and yargs', () => {
  test('take every option alike, before, between and after the positionals', async () => {
    const names = Object.keys(COPY_OPTIONS);
    for (const name of names) {
      for (const form of plainForms(name)) {
        for (const argv of [[IMG, DEST, ...form], [...form, IMG, DEST], [IMG, ...form, DEST]]) {
          const { fast } = await agree(argv);
          assert.ok('args' in fast, `the fast path declined ${JSON.stringify(argv)}: ${JSON.stringify(fast)}`);
        }
      }
    }
  });

  test('take every option at once alike, and defaults alike', async () => {
    const all = Object.keys(COPY_OPTIONS).flatMap((n) => plainForms(n)[0]);
    const { fast } = await agree([IMG, DEST, ...all]);
    assert.ok('args' in fast);
    const { fast: bare } = await agree([IMG, DEST]);
    assert.ok('args' in bare);
    assert.equal(bare.args.jobs, COPY_OPTIONS.jobs.default);
  });

  test('a repeatable option keeps every value in order; another keeps its last, as before', async () => {
    const { fast } = await agree([IMG, '--tag', 'a', DEST, '--tag=b', '--annotation', 'k=1', '--annotation', 'k=2', '--annotation', 'j=x=y', '--platform', 'linux/arm64/v8']);
    assert.ok('args' in fast);
    assert.deepEqual(fast.args.tags, ['a', 'b']);
    assert.deepEqual(fast.args.annotations, { k: '2', j: 'x=y' });
    assert.deepEqual(fast.args.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    // The fast path declines a repeated single option; yargs keeps the last value (as skopeo does).
    const { fast: f2, yargs } = await agree([IMG, DEST, '--creds', 'a:b', '--creds', 'c:d', '-j', '2', '--jobs', '3']);
    assert.deepEqual(f2, { declined: true });
    assert.ok('args' in yargs);
    assert.equal(yargs.args.creds, 'c:d');
    assert.equal(yargs.args.jobs, 3);
  });

  test('reject every wrong use of an option alike', async () => {
    for (const name of Object.keys(COPY_OPTIONS)) {
      for (const form of errorForms(name)) {
        const argv = [IMG, DEST, ...form];
        const { yargs } = await agree(argv);
        assert.ok('error' in yargs, `yargs took ${JSON.stringify(argv)}: ${JSON.stringify(yargs)}`);
      }
    }
  });

  test('reject malformed command lines alike', async () => {
    const cases: string[][] = [
      [],
      [IMG],
      [IMG, DEST, 'extra'],
      [IMG, DEST, '--nope'],
      [IMG, DEST, '-x'],
      [IMG, DEST, '--Json'],
      ['--', IMG, DEST],
      [IMG, '--json', 'false'], // yargs takes false as --json's value: one positional short
      [IMG, DEST, '-qj', 'x'],
    ];
    for (const argv of cases) {
      const { yargs } = await agree(argv);
      assert.ok('error' in yargs, `yargs took ${JSON.stringify(argv)}: ${JSON.stringify(yargs)}`);
    }
  });

  test('what only yargs handles, the fast path declines', async () => {
    for (const argv of [[IMG, DEST, '--help'], [IMG, DEST, '-h'], [IMG, DEST, '--version'], ['--help']]) {
      assert.deepEqual(viaFast(argv), { declined: true }, JSON.stringify(argv));
    }
    assert.equal(parseCopyFast(['inspect', IMG]), null);
    // yargs' own readings: `--` ends the options, and a lone `-` is an empty string.
    for (const argv of [[IMG, DEST, '--', '--json'], ['-', DEST]]) {
      const { fast } = await agree(argv);
      assert.deepEqual(fast, { declined: true }, JSON.stringify(argv));
    }
  });

  test('agree on random command lines', async (t) => {
    // A fixed seed: a failure here is reproducible.
    let seed = 12;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pool = [
      IMG, DEST, IMG, DEST, 'x', 'true', 'false', '0', '4', '-1', '--', '-', '--nope', '-x', '-q', '-j', '-j4', '-qj', '-qj2', '-jq', '-h',
      ...Object.keys(COPY_OPTIONS).flatMap((n) => [`--${n}`, `--no-${n}`, `--${n}=`, `--${n}=1`, `--${n}=false`, `--${n}=u:p`]),
    ];
    const forms = Object.keys(COPY_OPTIONS).flatMap((n) => [...plainForms(n), ...errorForms(n)]);
    const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)];
    let accepted = 0;
    for (let i = 0; i < 1500; i++) {
      let argv: string[];
      if (i % 2) argv = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => pick(pool));
      else {
        // The two positionals among up to four option spellings, right or wrong.
        argv = [IMG, DEST];
        for (let k = Math.floor(rand() * 5); k > 0; k--) argv.splice(Math.floor(rand() * (argv.length + 1)), 0, ...pick(forms));
      }
      if (argv.some((a) => a === '-h' || a === '--help' || a === '--version')) continue;
      const { fast } = await agree(argv);
      if ('args' in fast) accepted++;
    }
    t.diagnostic(`the fast path took ${accepted} of them`);
    assert.ok(accepted > 200, `the fast path took only ${accepted} random command lines`);
  });
});
