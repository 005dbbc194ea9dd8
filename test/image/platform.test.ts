// Platforms: how --platform is read, how daemons' architectures are spelt in OCI, which image of an
// index a platform takes, and which two platforms are one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choosePlatformEntry, ociArchitecture, parsePlatform, platformMatches, samePlatform } from '../../src/image/platform.js';
import { UserError } from '../../src/util/errors.js';

test('--platform is OS/ARCH[/VARIANT]', () => {
  assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  for (const bad of ['linux', 'linux/', '/amd64', 'linux/arm/v7/x', 'Linux/AMD64', 'linux/a m d']) assert.throws(() => parsePlatform(bad), (e: unknown) => e instanceof UserError && e.code === 'USAGE');
});

test('uname -m and Node spellings become OCI architectures', () => {
  assert.deepEqual(ociArchitecture('x86_64'), { architecture: 'amd64' });
  assert.deepEqual(ociArchitecture('aarch64'), { architecture: 'arm64' });
  assert.deepEqual(ociArchitecture('x64'), { architecture: 'amd64' });
  assert.deepEqual(ociArchitecture('armv7l'), { architecture: 'arm', variant: 'v7' });
  assert.deepEqual(ociArchitecture('s390x'), { architecture: 's390x' });
});

test('a platform without a variant matches any variant; arm64 is arm64/v8', () => {
  const arm = { os: 'linux', architecture: 'arm64' };
  const v8 = { ...arm, variant: 'v8' };
  assert.ok(platformMatches(arm, v8));
  assert.ok(platformMatches(v8, arm));
  assert.ok(!platformMatches({ ...arm, variant: 'v9' }, arm));
  assert.ok(samePlatform(arm, v8));
  assert.ok(!samePlatform({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v7' }));
  assert.ok(!samePlatform(arm, { os: 'windows', architecture: 'arm64' }));
});

test("an index's image for a platform: the first that matches; none names the platforms it has", () => {
  const entries = [{ id: 'a', platform: { os: 'linux', architecture: 'amd64' } }, { id: 'b', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }];
  assert.equal(choosePlatformEntry(entries, { os: 'linux', architecture: 'arm64' }, 'ix').id, 'b');
  assert.throws(
    () => choosePlatformEntry(entries, { os: 'linux', architecture: 's390x' }, 'ix', 'use --platform'),
    (e: unknown) => e instanceof UserError && e.code === 'PLATFORM_MISMATCH' && e.message === 'ix has no image for linux/s390x; it has linux/amd64, linux/arm64/v8' && e.hint === 'use --platform',
  );
});
