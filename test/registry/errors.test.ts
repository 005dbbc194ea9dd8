// Registry error bodies ({"errors":[{code,message,detail}]}) and the messages made of them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryError, TransientError, parseErrorBody } from '../../src/registry/errors.js';
import { UserError } from '../../src/util/errors.js';

describe('registry errors', () => {
  test('parseErrorBody reads {"errors":[…]} and nothing else', () => {
    assert.deepEqual(parseErrorBody('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:x"},{"message":"no code"},7]}'), [
      { code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: 'sha256:x' },
      { code: 'UNKNOWN', message: 'no code', detail: undefined },
    ]);
    assert.deepEqual(parseErrorBody('<html>502</html>'), []);
    assert.deepEqual(parseErrorBody('{"errors":"x"}'), []);
    assert.deepEqual(parseErrorBody('null'), []);
  });

  test('RegistryError: what, status, then the codes and messages, or a snippet of the body', () => {
    const e = new RegistryError('pushing manifest sha256:abc as app:v1', 400, [{ code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown' }, { code: 'DENIED' }]);
    assert.equal(e.message, 'pushing manifest sha256:abc as app:v1: registry answered 400 (MANIFEST_BLOB_UNKNOWN: blob unknown; DENIED)');
    assert.ok(e instanceof UserError);
    assert.equal(e.has('DENIED'), true);
    assert.equal(e.has('BLOB_UNKNOWN'), false);
    assert.equal(new RegistryError('HEAD x', 502, [], 'x'.repeat(300)).message, `HEAD x: registry answered 502 (${'x'.repeat(200)})`);
    assert.equal(new RegistryError('HEAD x', 404, []).message, 'HEAD x: registry answered 404');
  });

  test('TransientError keeps the Retry-After and has a stable code', () => {
    const e = new TransientError('x: registry answered 503', 1500);
    assert.equal(e.retryAfterMs, 1500);
    assert.equal(e.code, 'REGISTRY_UNAVAILABLE');
    assert.equal(new TransientError('x', undefined, 'UPLOAD_LOST').code, 'UPLOAD_LOST');
    assert.equal(e.name, 'TransientError');
    assert.ok(e instanceof UserError, 'one that escapes the retries is still a one-line user error');
  });
});
