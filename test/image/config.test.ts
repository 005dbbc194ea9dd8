// Image config as users write it (OCI keys, nix2container's lowercase spellings) → the OCI config,
// and the errors a wrong one gets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseConfig } from '../../src/image/config.js';
import { UserError } from '../../src/util/errors.js';

/** Asserts normaliseConfig(raw) throws a UserError whose message matches `re`. */
function rejects(raw: unknown, re: RegExp): void {
  assert.throws(
    () => normaliseConfig(raw),
    (e: unknown) => {
      assert.ok(e instanceof UserError, `not a UserError: ${e}`);
      assert.match(e.message, re);
      return true;
    },
  );
}

describe('normaliseConfig', () => {
  test("any letter case is accepted (nix2container's entrypoint, env, workingdir) and comes out in OCI spelling, in a fixed order", () => {
    const out = normaliseConfig({ workingdir: '/w', entrypoint: ['/bin/app'], env: ['A=1'], CMD: ['--x'], user: '1000:1000', exposedports: ['80', '53/udp'] });
    assert.deepEqual(out, { User: '1000:1000', ExposedPorts: { '80': {}, '53/udp': {} }, Env: ['A=1'], Entrypoint: ['/bin/app'], Cmd: ['--x'], WorkingDir: '/w' });
    assert.deepEqual(Object.keys(out), ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'WorkingDir']);
  });

  test('null and undefined mean "no config"; null values are left out', () => {
    assert.deepEqual(normaliseConfig(null), {});
    assert.deepEqual(normaliseConfig(undefined), {});
    assert.deepEqual(normaliseConfig({ Cmd: null, User: 'u' }), { User: 'u' });
  });

  test('every valid type passes through', () => {
    const all = {
      User: 'u', ExposedPorts: { '8080/tcp': {} }, Env: ['A=', 'B=x=y'], Entrypoint: [], Cmd: ['a'], Volumes: ['/data'], WorkingDir: '/', Labels: { 'org.opencontainers.image.title': 't' },
      StopSignal: 'SIGTERM', ArgsEscaped: true, Memory: 1, MemorySwap: -1, CpuShares: 2, Healthcheck: { Test: ['NONE'] }, OnBuild: ['RUN x'], Shell: ['/bin/sh', '-c'], StopTimeout: 10,
    };
    assert.deepEqual(normaliseConfig(all), { ...all, Volumes: { '/data': {} } });
  });

  test('the config itself must be an attribute set', () => {
    rejects([], /^config: expected an attribute set, got \[\]$/);
    rejects('Cmd', /^config: expected an attribute set, got "Cmd"$/);
  });

  test('an unknown key names the closest valid one, or the meant one for common aliases', () => {
    rejects({ Environment: [] }, /^config: unknown key "Environment"; did you mean "Env"\? Valid keys: User, ExposedPorts, Env,/);
    rejects({ entrypiont: [] }, /did you mean "Entrypoint"/);
    rejects({ working_dir: '/' }, /did you mean "WorkingDir"/);
    rejects({ ports: [] }, /did you mean "ExposedPorts"/);
    rejects({ command: [] }, /did you mean "Cmd"/);
    rejects({ Labelz: {} }, /did you mean "Labels"/);
  });

  test('two spellings of one key are an error naming both', () => {
    rejects({ cmd: ['a'], Cmd: ['b'] }, /^config: "Cmd" and "cmd" are the same key \(Cmd\); keep one$/);
  });

  test('lists of strings: a bare string gets a hint to wrap it', () => {
    rejects({ Entrypoint: '/bin/app' }, /^config\.Entrypoint: expected a list of strings, got the string "\/bin\/app"; write \[ "\/bin\/app" \]$/);
    rejects({ Cmd: ['a', 1] }, /^config\.Cmd: expected a list of strings, got \["a",1\]$/);
    rejects({ Shell: { a: 1 } }, /^config\.Shell: expected a list of strings/);
  });

  test('Env entries must be NAME=value, and the bad one is pointed at', () => {
    rejects({ Env: 'A=1' }, /^config\.Env: expected a list of "NAME=value" strings, got "A=1"$/);
    rejects({ Env: ['A=1', 'B'] }, /^config\.Env\[1\]: expected "NAME=value", got "B"$/);
    rejects({ Env: ['=value'] }, /^config\.Env\[0\]: expected "NAME=value"/);
    rejects({ Env: [7] }, /^config\.Env\[0\]: expected "NAME=value", got 7$/);
  });

  test('ExposedPorts: "port", "port/tcp|udp|sctp" up to 65535, as a list or as {"port": {}}', () => {
    assert.deepEqual(normaliseConfig({ ExposedPorts: { '65535/sctp': {} } }), { ExposedPorts: { '65535/sctp': {} } });
    rejects({ ExposedPorts: ['65536'] }, /^config\.ExposedPorts: "65536" is not a port like "8080\/tcp", "53\/udp" or "80"$/);
    rejects({ ExposedPorts: ['80/http'] }, /"80\/http" is not a port/);
    rejects({ ExposedPorts: ['http'] }, /"http" is not a port/);
    rejects({ ExposedPorts: { '80/tcp': { HostPort: '8080' } } }, /^config\.ExposedPorts: values must be empty objects/);
    rejects({ ExposedPorts: { '80/tcp': [] } }, /values must be empty objects/);
    rejects({ ExposedPorts: '80' }, /^config\.ExposedPorts: expected an object like \{"80\/tcp": \{\}\} or a list, got "80"$/);
    rejects({ ExposedPorts: [80] }, /^config\.ExposedPorts: entries must be strings, got 80$/);
  });

  test('Volumes must be absolute paths', () => {
    assert.deepEqual(normaliseConfig({ volumes: { '/a': {}, '/b': {} } }), { Volumes: { '/a': {}, '/b': {} } });
    rejects({ Volumes: ['data'] }, /^config\.Volumes: "data" must be an absolute path$/);
  });

  test('Labels are strings; scalars and objects are checked', () => {
    rejects({ Labels: ['a=b'] }, /^config\.Labels: expected an attribute set of strings/);
    rejects({ Labels: { version: 2 } }, /^config\.Labels\.version: expected a string, got 2$/);
    rejects({ User: 1000 }, /^config\.User: expected a string, got 1000$/);
    rejects({ ArgsEscaped: 'true' }, /^config\.ArgsEscaped: expected true or false, got "true"$/);
    rejects({ StopTimeout: 1.5 }, /^config\.StopTimeout: expected an integer, got 1.5$/);
    rejects({ Memory: '1g' }, /^config\.Memory: expected an integer, got "1g"$/);
    rejects({ Healthcheck: ['CMD', 'true'] }, /^config\.Healthcheck: expected an object, got \["CMD","true"\]$/);
  });
});
