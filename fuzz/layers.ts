// npm run fuzz -- layers [--seed N] [--trees N] [--batches N] [--big BYTES] [--keep]: the round-trip
// property of test/e2e/roundtrip.test.ts on many more random trees. Batch k holds the trees of seeds
// SEED + k*TREES … SEED + (k+1)*TREES - 1, each tree generated from its own seed alone, so a failing
// tree is reproduced by `--seed <its seed> --trees 1`. Stops at the first failure.
import { parseArgs } from 'node:util';
import { runBatch, TreeMismatch } from '../test/helpers/fuzz-layers.js';

const { values } = parseArgs({
  args: process.argv.slice(3),
  options: {
    seed: { type: 'string' },
    trees: { type: 'string', default: '100' },
    batches: { type: 'string', default: '20' },
    big: { type: 'string', default: String(16 << 20) },
    keep: { type: 'boolean', default: false },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const trees = Number(values.trees);
const batches = Number(values.batches);
if (![seed, trees, batches].every(Number.isSafeInteger) || trees < 1 || batches < 1) {
  console.error('fuzz layers: --seed, --trees and --batches take whole numbers');
  process.exit(2);
}
console.log(`fuzz layers: seed ${seed}, ${batches} batch(es) of ${trees} tree(s) (rerun: npm run fuzz -- layers --seed ${seed} --trees ${trees} --batches ${batches})`);
const t0 = performance.now();
let entries = 0;
for (let b = 0; b < batches; b++) {
  const seeds = Array.from({ length: trees }, (_, i) => seed + b * trees + i);
  try {
    entries += (await runBatch({ seeds, bigFile: Number(values.big), maxEntries: 80, keep: values.keep, log: (m) => console.log(`  ${m}`) })).entries;
  } catch (e) {
    console.error(`fuzz layers: FAILED in batch ${b + 1} (seeds ${seeds[0]}..${seeds[seeds.length - 1]}, run seed ${seed})`);
    console.error(e instanceof TreeMismatch ? e.message : e);
    process.exit(1);
  }
}
console.log(`fuzz layers: ${batches * trees} trees, ${entries} entries, all identical in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
