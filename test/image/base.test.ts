// fromImage: the base image's config merged under the user's, as FROM does. (The first test moved
// here from test/e2e/base-image.test.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeBaseConfig, mergeEnv } from '../../src/image/base.js';
import { UserError } from '../../src/util/errors.js';

describe('config merging', () => {
  test('Env by name, maps by key, Entrypoint without Cmd drops the base Cmd', () => {
    assert.deepEqual(mergeEnv(['PATH=/bin', 'A=1', 'B=2'], ['B=3', 'C=4']), ['PATH=/bin', 'A=1', 'B=3', 'C=4']);
    const base = { Env: ['PATH=/bin'], Cmd: ['sh'], WorkingDir: '/w', User: '1000', Labels: { a: '1', b: '2' }, ExposedPorts: { '80/tcp': {} }, Volumes: null, Hostname: 'x', StopSignal: 'SIGINT', OnBuild: ['RUN x'] };
    const m = mergeBaseConfig(base, { Entrypoint: ['/app'], Labels: { b: '3' }, ExposedPorts: { '443/tcp': {} } });
    assert.deepEqual(m, {
      User: '1000',
      ExposedPorts: { '80/tcp': {}, '443/tcp': {} },
      Env: ['PATH=/bin'],
      Entrypoint: ['/app'],
      WorkingDir: '/w',
      Labels: { a: '1', b: '3' },
      StopSignal: 'SIGINT',
    });
    assert.deepEqual(mergeBaseConfig(base, { User: 'root', Cmd: ['ls'] }).Cmd, ['ls']);
    assert.deepEqual(mergeBaseConfig(base, {}).Cmd, ['sh']);
  });

  test('mergeEnv: the base order is kept, the user\'s value replaces in place, a name given twice keeps the last', () => {
    assert.deepEqual(mergeEnv(['A=1', 'PATH=/bin', 'B=2'], ['PATH=/app/bin:/bin']), ['A=1', 'PATH=/app/bin:/bin', 'B=2']);
    assert.deepEqual(mergeEnv([], ['X=1', 'Y=2', 'X=3']), ['Y=2', 'X=3']);
    assert.deepEqual(mergeEnv(['X=base'], ['X=1', 'X=2']), ['X=2']);
    // Values may hold "="; names are compared up to the first one.
    assert.deepEqual(mergeEnv(['OPTS=a=b'], ['OPTS=c=d', 'OPTSX=e']), ['OPTS=c=d', 'OPTSX=e']);
    // A base entry without "=" is a name too.
    assert.deepEqual(mergeEnv(['BARE', 'K=v'], ['BARE=set']), ['BARE=set', 'K=v']);
  });

  test('Entrypoint and Cmd both set: both the user\'s; Cmd alone replaces only Cmd', () => {
    const base = { Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo hi'] };
    assert.deepEqual(mergeBaseConfig(base, { Entrypoint: ['/app'], Cmd: ['--serve'] }), { Entrypoint: ['/app'], Cmd: ['--serve'] });
    assert.deepEqual(mergeBaseConfig(base, { Cmd: ['date'] }), { Entrypoint: ['/bin/sh', '-c'], Cmd: ['date'] });
  });

  test('the user\'s Env merges into the base Env; without a base Env it is taken whole', () => {
    assert.deepEqual(mergeBaseConfig({ Env: ['PATH=/bin', 'LANG=C'] }, { Env: ['LANG=C.UTF-8', 'APP=1'] }).Env, ['PATH=/bin', 'LANG=C.UTF-8', 'APP=1']);
    assert.deepEqual(mergeBaseConfig({}, { Env: ['APP=1'] }).Env, ['APP=1']);
  });

  test('Docker-only container keys, OnBuild, null values and malformed maps of the base are dropped', () => {
    const base = { Hostname: 'h', Domainname: '', Image: 'sha256:x', AttachStdin: false, OnBuild: ['RUN x'], User: null, Labels: ['not', 'a', 'map'], Volumes: { '/data': {} } };
    assert.deepEqual(mergeBaseConfig(base, {}), { Volumes: { '/data': {} } });
    assert.deepEqual(mergeBaseConfig(base, { Labels: { a: '1' } }).Labels, { a: '1' });
  });

  test('the result is normalised: fixed key order, and a bad base value fails naming the merge', () => {
    const m = mergeBaseConfig({ WorkingDir: '/w', Cmd: ['sh'], User: 'u' }, { Env: ['A=1'] });
    assert.deepEqual(Object.keys(m), ['User', 'Env', 'Cmd', 'WorkingDir']);
    assert.throws(
      () => mergeBaseConfig({ Env: 'PATH=/bin' }, {}),
      (e: unknown) => e instanceof UserError && /^config\.Env: expected a list of "NAME=value" strings.* \(in the config merged with the base image's\)$/.test(e.message),
    );
    assert.throws(() => mergeBaseConfig({ ExposedPorts: { '99999/tcp': {} } }, {}), /config\.ExposedPorts: "99999\/tcp" is not a port.*merged with the base image's/);
  });
});
