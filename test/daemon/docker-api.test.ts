// The Docker API client against a stand-in daemon on a unix socket: which image store /info
// reports, and a load reply whose unpack failed (the containerd image store).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DockerApi } from '../../src/daemon/docker-api.js';
import { parseHost } from '../../src/daemon/engine.js';
import { hasCode } from '../../src/util/errors.js';

describe('DockerApi', () => {
  const dir = mkdtempSync(join(tmpdir(), 'longshore-docker-api-'));
  const sock = join(dir, 'docker.sock');
  let server: Server;
  /** What the stand-in answers: GET /info's body and POST /images/load's NDJSON lines. */
  const reply = { info: {} as unknown, load: [] as unknown[], listed: [] as unknown[] };
  let listQuery = '';

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        if (url.pathname === '/_ping') res.writeHead(200, { 'api-version': '1.45' }).end('OK');
        else if (url.pathname === '/v1.45/info') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply.info));
        else if (url.pathname === '/v1.45/images/json') {
          listQuery = url.searchParams.get('filters') ?? '';
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply.listed));
        } else if (url.pathname === '/v1.45/images/load') res.writeHead(200, { 'content-type': 'application/json' }).end(reply.load.map((l) => JSON.stringify(l) + '\n').join(''));
        else res.writeHead(404).end('{"message":"no such path"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(sock, resolve));
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async (): Promise<DockerApi> => {
    const a = new DockerApi(parseHost(`unix://${sock}`, 'hint'));
    await a.negotiate();
    return a;
  };

  test('the containerd image store reports its snapshotter as the driver, with driver-type io.containerd.snapshotter.v1', async () => {
    const a = await api();
    try {
      reply.info = { Driver: 'overlayfs', DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] };
      assert.equal(await a.imageStore(), 'containerd');
      reply.info = { Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true']] };
      assert.equal(await a.imageStore(), 'classic');
      reply.info = { Driver: 'vfs', DriverStatus: null };
      assert.equal(await a.imageStore(), 'classic');
    } finally {
      await a.close();
    }
  });

  test('listed(ref) asks for the images under that reference', async () => {
    const a = await api();
    try {
      reply.listed = [{ Id: 'sha256:' + 'a'.repeat(64), RepoTags: ['app:v2'] }];
      assert.deepEqual(await a.listed('app:v2'), ['sha256:' + 'a'.repeat(64)]);
      assert.deepEqual(JSON.parse(listQuery), { reference: ['app:v2'] });
    } finally {
      await a.close();
    }
  });

  test('"Loaded image" followed by "Error unpacking image" (the containerd store, moby#48293) is a refusal', async () => {
    const a = await api();
    try {
      reply.load = [{ stream: 'Loaded image: app:v2\n' }];
      assert.deepEqual(await a.load(Readable.from([Buffer.alloc(1024)])), ['Loaded image: app:v2']);
      reply.load = [{ stream: 'Loaded image: app:v2\n' }, { stream: 'Error unpacking image app:v2: failed to extract layer sha256:1bc6: content digest sha256:1bc6: not found\n' }];
      await assert.rejects(
        a.load(Readable.from([Buffer.alloc(1024)])),
        (e: unknown) => hasCode(e, 'DAEMON_REFUSED') && /refused the image: Error unpacking image app:v2: failed to extract layer/.test((e as Error).message),
      );
    } finally {
      await a.close();
    }
  });
});
