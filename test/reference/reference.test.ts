// The reference module against the shared table (test/reference/names.ts), plus what the table does
// not cover: Docker Hub normalisation, digests, formatting and the errors' shape.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidReferenceError,
  checkDigest,
  checkOciLayoutTag,
  checkTag,
  formatFullReference,
  formatName,
  formatReference,
  isDockerHub,
  parseName,
  parseNameTag,
  parseReference,
  parseRegistryReference,
} from '../../src/reference/reference.js';
import { UserError } from '../../src/util/errors.js';
import { NAMES, TAGS } from './names.js';

/** true when `f` returns, false when it throws an InvalidReferenceError; anything else fails the test. */
function accepts(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    assert.ok(e instanceof InvalidReferenceError, `expected an InvalidReferenceError, got ${String(e)}`);
    return false;
  }
}

const show = (s: string) => (s.length > 40 ? `${JSON.stringify(s.slice(0, 30))}… (${s.length} characters)` : JSON.stringify(s));

describe('names (shared table)', () => {
  for (const { name, valid } of NAMES) {
    test(`${show(name)} is ${valid ? 'valid' : 'invalid'}`, () => {
      assert.equal(accepts(() => parseName(name)), valid, 'parseName');
      assert.equal(accepts(() => parseReference(name)), valid, 'parseReference NAME');
      assert.equal(accepts(() => parseReference(`${name}:v1`)), valid, 'parseReference NAME:TAG');
      assert.equal(accepts(() => parseReference(`${name}@sha256:${'a'.repeat(64)}`)), valid, 'parseReference NAME@DIGEST');
      assert.equal(accepts(() => parseRegistryReference(`${name}:v1`)), valid, 'parseRegistryReference');
      assert.equal(accepts(() => parseNameTag(`${name}:v1`, 'docker-daemon')), valid, 'parseNameTag');
      if (valid) {
        const parsed = parseName(name);
        assert.equal(formatName(parsed), name, 'formatName gives the name back as written');
        assert.deepEqual(parseNameTag(name, 'podman'), { name, tag: undefined });
        assert.deepEqual(parseNameTag(`${name}:v1`, 'podman'), { name, tag: 'v1' });
      }
    });
  }
});

describe('tags (shared table)', () => {
  for (const { tag, valid, oci } of TAGS) {
    test(`${show(tag)} is ${valid ? 'a valid tag' : 'not a tag'}${valid && !oci ? ', but not an OCI ref name' : ''}`, () => {
      assert.equal(accepts(() => checkTag(tag, 'test')), valid, 'checkTag');
      assert.equal(accepts(() => parseReference(`team/app:${tag}`)), valid, 'parseReference');
      assert.equal(accepts(() => parseNameTag(`team/app:${tag}`, 'docker-daemon')), valid, 'parseNameTag');
      assert.equal(accepts(() => checkOciLayoutTag(tag, 'test')), oci, 'checkOciLayoutTag');
      if (valid) assert.equal(parseReference(`team/app:${tag}`).tag, tag);
    });
  }
});

describe('Docker Hub normalisation and hosts', () => {
  const cases: [string, { registry: string; apiHost: string; repository: string }][] = [
    ['app', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/app' }],
    ['team/app', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'team/app' }],
    ['docker.io/app', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/app' }],
    ['index.docker.io/team/app', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'team/app' }],
    ['registry-1.docker.io/debian', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/debian' }],
    ['Docker.IO/debian', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/debian' }],
    ['localhost/app', { registry: 'localhost', apiHost: 'localhost', repository: 'app' }],
    ['localhost:5000/a/b/c', { registry: 'localhost:5000', apiHost: 'localhost:5000', repository: 'a/b/c' }],
    ['Registry.Example:5000/app', { registry: 'Registry.Example:5000', apiHost: 'Registry.Example:5000', repository: 'app' }],
    ['[::1]:5000/x', { registry: '[::1]:5000', apiHost: '[::1]:5000', repository: 'x' }],
    ['127.0.0.1:5000/x', { registry: '127.0.0.1:5000', apiHost: '127.0.0.1:5000', repository: 'x' }],
    // A one-component name is never a host (distribution's splitDockerDomain), even "localhost".
    ['localhost', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/localhost' }],
  ];
  for (const [ref, want] of cases) {
    test(ref, () => {
      const r = parseRegistryReference(ref);
      assert.deepEqual({ registry: r.registry, apiHost: r.apiHost, repository: r.repository }, want);
      assert.equal(r.tag, undefined);
      assert.equal(r.digest, undefined);
    });
  }
  test('the tag is after the last ":" that follows the last "/"', () => {
    assert.equal(parseRegistryReference('localhost:5000/app:v1').tag, 'v1');
    assert.equal(parseRegistryReference('localhost:5000/app').tag, undefined);
    // "localhost:5000" alone is NAME:TAG, as in docker and podman.
    assert.deepEqual(parseRegistryReference('localhost:5000'), { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/localhost', tag: '5000', digest: undefined });
    assert.equal(parseRegistryReference('//localhost:5000/app:v1').registry, 'localhost:5000', 'a leading // (docker:// split before it) is tolerated');
  });
  test('tag and digest together', () => {
    const d = 'sha256:' + 'b'.repeat(64);
    const r = parseRegistryReference(`registry.example/app:v1@${d}`);
    assert.equal(r.tag, 'v1');
    assert.equal(r.digest, d);
    assert.equal(formatFullReference(parseReference(`registry.example/app:v1@${d}`)), `registry.example/app:v1@${d}`);
  });
  test('formatReference', () => {
    const r = parseRegistryReference('debian:12');
    assert.equal(formatReference(r, r.tag), 'docker.io/library/debian:12');
    assert.equal(formatReference(r), 'docker.io/library/debian');
  });
  test('isDockerHub', () => {
    for (const h of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'DOCKER.IO']) assert.ok(isDockerHub(h), h);
    for (const h of ['docker.com', 'localhost', 'registry.example']) assert.ok(!isDockerHub(h), h);
  });
});

describe('digests', () => {
  const hex = 'c'.repeat(64);
  test('sha256 with 64 lowercase hex digits', () => {
    assert.equal(checkDigest(`sha256:${hex}`, 't'), `sha256:${hex}`);
    assert.equal(parseReference(`app@sha256:${hex}`).digest, `sha256:${hex}`);
  });
  const bad: [string, RegExp][] = [
    [`sha256:${hex.toUpperCase()}`, /digest "sha256:C+" is not valid \(a sha256 digest has 64 lowercase hex digits\)/],
    [`sha256:${hex.slice(1)}`, /64 lowercase hex digits/],
    [`sha256:${hex}0`, /64 lowercase hex digits/],
    [`sha512:${'d'.repeat(128)}`, /digest algorithm "sha512" is not supported \(only sha256\)/],
    [hex, /is not valid \(ALGORITHM:HEX/],
    ['', /digest "" is not valid/],
    ['sha256:', /is not valid/],
  ];
  for (const [d, re] of bad) {
    test(`refuses ${show(d)}`, () => {
      assert.throws(() => checkDigest(d, 't'), re);
      assert.throws(() => parseRegistryReference(`app@${d}`), re);
    });
  }
});

describe('errors', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => parseRegistryReference('Reg.Example:5000/My_App'), /^docker:\/\/Reg\.Example:5000\/My_App: repository component "My_App" is not valid \(uppercase letters are allowed only in the registry host\)$/],
    [() => parseRegistryReference('MyApp:v1'), /^docker:\/\/MyApp:v1: repository component "MyApp" is not valid \(uppercase letters are allowed only in a registry host, which needs a "\." or ":" \(or is localhost\)/],
    [() => parseRegistryReference('a_-b'), /^docker:\/\/a_-b: repository component "a_-b" is not valid \(lowercase letters and digits, joined by "\.", "_", "__" or dashes\)$/],
    [() => parseRegistryReference('reg_istry.example/app'), /^docker:\/\/reg_istry\.example\/app: registry host "reg_istry\.example" is not valid/],
    [() => parseRegistryReference('a//b'), /^docker:\/\/a\/\/b: empty repository component/],
    [() => parseRegistryReference('', 'lock docker://'), /^lock docker:\/\/: the image name is empty$/],
    [() => parseRegistryReference('app:-v'), /^docker:\/\/app:-v: tag "-v" is not valid \(1 to 128 letters, digits, "_", "\." and "-", not starting with "\." or "-"\)$/],
    [() => parseRegistryReference(`app:${'a'.repeat(129)}`), /: tag "a+" is 129 characters long; at most 128 are allowed$/],
    [() => parseRegistryReference('a'.repeat(256)), /: the name is 256 characters long; at most 255 are allowed$/],
    [() => parseNameTag('Team--App:v1', 'docker-daemon'), /^docker-daemon:Team--App:v1: repository component "Team--App" is not valid/],
    [() => parseNameTag(`app@sha256:${'a'.repeat(64)}`, 'podman'), /^podman:app@sha256:a+: digests cannot be used as names; give NAME:TAG$/],
    [() => parseNameTag(':v1', 'docker-daemon'), /^docker-daemon::v1: needs an image name, as in docker-daemon:NAME:TAG$/],
    [() => parseNameTag('app:', 'podman'), /^podman:app:: tag "" is not valid/],
    [() => checkOciLayoutTag('_x', 'oci:/tmp/dir:_x'), /^oci:\/tmp\/dir:_x: tag "_x" is not a valid OCI layout reference name/],
    [() => parseName('Hello World', 'buildImage: name "Hello World"'), /^buildImage: name "Hello World": repository component "Hello World" is not valid/],
  ];
  for (const [f, re] of cases) {
    test(re.source.slice(0, 60), () => {
      assert.throws(f, (e: unknown) => {
        assert.ok(e instanceof InvalidReferenceError);
        assert.ok(e instanceof UserError, 'printed as a user error (no stack trace)');
        assert.equal(e.code, 'INVALID_REFERENCE');
        assert.ok(!e.message.includes('\n'), 'one line');
        assert.match(e.message, re);
        return true;
      });
    });
  }
});
