// buildImage's name and tag checks against the shared table (test/reference/names.ts): the Nix side
// (nix/reference.nix, one evaluation over the whole table, instantiating every accepted image so a
// valid name also makes valid store path names) and the build's own check (assembleImage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { assembleImage } from '../../src/commands/build-image.js';
import { InvalidReferenceError } from '../../src/reference/reference.js';
import { NAMES, TAGS } from '../reference/names.js';
import { ROOT, tmp } from '../helpers/nix.js';

const LIB = join(ROOT, 'test/nix/lib.nix');
const NIX_OPTS = ['--option', 'substituters', ''];
const TAG = 'v1';
const NAME = 'team/app';

const show = (s: string) => (s.length > 40 ? `${JSON.stringify(s.slice(0, 30))}… (${s.length} characters)` : JSON.stringify(s));

async function nixEval(expr: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const file = join(tmp('longshore-names-'), 'expr.nix');
  writeFileSync(file, `let l = import ${LIB} { node = "${process.execPath}"; dist = ${ROOT}/dist; }; in ${expr}\n`);
  const r = await execa('nix-instantiate', ['--eval', '--strict', '--json', ...NIX_OPTS, file], { reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('buildImage (Nix evaluation) gives the table\'s verdict for every name and tag', async () => {
  const table = join(tmp('longshore-names-'), 'table.json');
  writeFileSync(table, JSON.stringify({ names: NAMES.map((c) => c.name), tags: TAGS.map((c) => c.tag) }));
  // An accepted image is instantiated too (drvPath), outside tryEval: a name the grammar accepts but
  // Nix cannot use in a store path name would fail the whole evaluation.
  const r = await nixEval(`
    let
      t = builtins.fromJSON (builtins.readFile ${table});
      verdict = name: tag:
        let img = l.longshore.buildImage { inherit name tag; };
            r = builtins.tryEval img.imageRefUnsafe;
        in if r.success then builtins.seq img.drvPath r.value else null;
    in { names = map (n: verdict n "${TAG}") t.names; tags = map (x: verdict "${NAME}" x) t.tags; }`);
  assert.equal(r.exitCode, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { names: (string | null)[]; tags: (string | null)[] };
  const wrong: string[] = [];
  NAMES.forEach((c, i) => {
    const want = c.valid ? `${c.name}:${TAG}` : null;
    if (got.names[i] !== want) wrong.push(`name ${show(c.name)}: ${got.names[i] === null ? 'refused' : 'accepted'}, the table says ${c.valid ? 'valid' : 'invalid'}`);
  });
  TAGS.forEach((c, i) => {
    const want = c.valid ? `${NAME}:${c.tag}` : null;
    if (got.tags[i] !== want) wrong.push(`tag ${show(c.tag)}: ${got.tags[i] === null ? 'refused' : 'accepted'}, the table says ${c.valid ? 'valid' : 'invalid'}`);
  });
  assert.deepEqual(wrong, []);
});

test('buildImage (the build\'s assembleImage) gives the table\'s verdict for every name and tag', () => {
  const accepts = (name: string, tag: string): boolean => {
    try {
      assembleImage({ name, tag, arch: 'amd64', layers: [] });
      return true;
    } catch (e) {
      assert.ok(e instanceof InvalidReferenceError || (name === '' && /"name" is required/.test(String(e))), String(e));
      return false;
    }
  };
  for (const c of NAMES) assert.equal(accepts(c.name, TAG), c.valid, `name ${show(c.name)}`);
  for (const c of TAGS) assert.equal(accepts(NAME, c.tag), c.valid, `tag ${show(c.tag)}`);
});

test('Nix and the CLI name the same bad part, in the same words', async () => {
  const cases: [string, string | null, RegExp][] = [
    ['Reg.Example:5000/My_App', TAG, /buildImage: name "Reg\.Example:5000\/My_App": repository component "My_App" is not valid \(uppercase letters are allowed only in the registry host\)/],
    ['reg_istry.example/app', TAG, /buildImage: name "reg_istry\.example\/app": registry host "reg_istry\.example" is not valid/],
    ['a//b', TAG, /buildImage: name "a\/\/b": empty repository component/],
    [NAME, '-v', /buildImage: tag "-v" is not valid \(1 to 128 letters/],
  ];
  for (const [name, tag, re] of cases) {
    const r = await nixEval(`(l.longshore.buildImage { name = ${JSON.stringify(name)}; tag = ${JSON.stringify(tag)}; }).imageRefUnsafe`);
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, re, 'Nix');
    assert.throws(() => assembleImage({ name, tag, arch: 'amd64', layers: [] }), re, 'assembleImage');
  }
});
