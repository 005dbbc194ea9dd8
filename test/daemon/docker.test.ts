// The Docker backend's pure part: names as `docker images` shows them (its reference filter's form).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarName } from '../../src/daemon/docker.js';

test('familiarName drops Docker Hub and "library/", and keeps any other registry', () => {
  assert.equal(familiarName('app:v1'), 'app:v1');
  assert.equal(familiarName('docker.io/library/app:v1'), 'app:v1');
  assert.equal(familiarName('index.docker.io/team/app:v1'), 'team/app:v1');
  assert.equal(familiarName('library/app:v1'), 'app:v1');
  assert.equal(familiarName('docker.io/library/team/app:v1'), 'library/team/app:v1');
  assert.equal(familiarName('localhost:5000/app:v1'), 'localhost:5000/app:v1');
  assert.equal(familiarName('registry.example.com/library/app:v1'), 'registry.example.com/library/app:v1');
  assert.equal(familiarName('localhost:5000/app'), 'localhost:5000/app');
});
