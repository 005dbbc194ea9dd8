// The Docker/Podman API client's pure parts: daemon addresses, error replies, and the NDJSON
// progress reply a load answers with (HTTP 200 even when the load failed).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { daemonMessage, DaemonHttpError, parseHost, readNdjson } from '../../src/daemon/engine.js';
import { UserError } from '../../src/util/errors.js';

describe('parseHost', () => {
  const hint = 'set DOCKER_HOST';
  test('unix:///path and a bare /path are sockets', () => {
    assert.deepEqual(parseHost('unix:///run/docker.sock', hint), { socketPath: '/run/docker.sock', origin: 'http://localhost', display: 'unix:///run/docker.sock', hint });
    assert.deepEqual(parseHost('/run/podman/podman.sock', hint), {
      socketPath: '/run/podman/podman.sock',
      origin: 'http://localhost',
      display: 'unix:///run/podman/podman.sock',
      hint,
    });
  });

  test('tcp://host:port and http://host:port (a trailing slash allowed) are plain HTTP', () => {
    assert.deepEqual(parseHost('tcp://127.0.0.1:2375', hint), { origin: 'http://127.0.0.1:2375', display: 'tcp://127.0.0.1:2375', hint });
    assert.equal(parseHost('http://[::1]:2375/', hint).origin, 'http://[::1]:2375');
    assert.equal(parseHost('tcp://daemon.example:2375', hint).socketPath, undefined);
  });

  test('anything else is a UserError quoting the value and carrying the hint', () => {
    for (const v of ['ssh://me@host', 'npipe:////./pipe/docker_engine', 'tcp://host:2375/path', 'https://host:2376', 'relative/docker.sock', '']) {
      assert.throws(
        () => parseHost(v, hint),
        (e: unknown) =>
          e instanceof UserError &&
          e.message === `unsupported daemon address ${JSON.stringify(v)}: expected unix:///path/to/socket or tcp://host:port` &&
          e.hint === hint,
        v,
      );
    }
  });
});

describe('daemonMessage', () => {
  test('{"message": …} is the reason; otherwise the raw text, trimmed', () => {
    assert.equal(daemonMessage('{"message":"No such image: app:1"}\n'), 'No such image: app:1');
    assert.equal(daemonMessage('{"cause":"x","message":"image not known","response":404}'), 'image not known');
    assert.equal(daemonMessage('  page not found\n'), 'page not found');
    assert.equal(daemonMessage('{"error":"no message key"}'), '{"error":"no message key"}');
    assert.equal(daemonMessage('null'), 'null');
    assert.equal(daemonMessage(' \n'), '(empty reply)');
  });

  test('DaemonHttpError: product, method, path without its query, status and reason', () => {
    const e = new DaemonHttpError('Docker', 'POST', '/images/load?quiet=1', 500, 'disk full');
    assert.equal(e.message, 'Docker: POST /images/load failed (HTTP 500): disk full');
    assert.equal(e.statusCode, 500);
    assert.ok(e instanceof UserError);
  });
});

/** An async iterable of the given chunks, as an HTTP body delivers them. */
async function* body(...chunks: (string | Buffer)[]): AsyncGenerator<string | Buffer> {
  for (const c of chunks) {
    await Promise.resolve();
    yield c;
  }
}
const line = (o: unknown) => JSON.stringify(o) + '\n';

describe('readNdjson', () => {
  test('collects "stream" and "status" texts, trimmed, in order; blank lines are skipped', async () => {
    const r = await readNdjson(body(line({ status: 'Loading layer' }), '\n', line({ stream: 'Loaded image: app:1\n' }), line({ progress: 'x' })), 'Docker');
    assert.deepEqual(r.lines, ['Loading layer', 'Loaded image: app:1']);
  });

  test('lines split across chunks, several lines in one chunk, and a last line without a newline', async () => {
    const all = line({ stream: 'one' }) + line({ stream: 'two' }) + JSON.stringify({ stream: 'three' });
    const chunks: string[] = [];
    for (let i = 0; i < all.length; i += 7) chunks.push(all.slice(i, i + 7));
    assert.deepEqual((await readNdjson(body(...chunks), 'Docker')).lines, ['one', 'two', 'three']);
    assert.deepEqual((await readNdjson(body(Buffer.from(all)), 'Docker')).lines, ['one', 'two', 'three']);
  });

  test('an errorDetail line fails the load with its message, even after HTTP 200 and progress', async () => {
    const reply = body(line({ stream: 'Loading layer' }), line({ errorDetail: { message: 'write /var/lib/docker/x: no space left on device' }, error: 'short' }));
    await assert.rejects(readNdjson(reply, 'Docker'), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.message, 'Docker refused the image: write /var/lib/docker/x: no space left on device');
      return true;
    });
  });

  test('"error" alone fails too; the first failure is the one reported', async () => {
    await assert.rejects(readNdjson(body(line({ error: 'first' }), line({ errorDetail: { message: 'second' } })), 'Podman'), {
      message: 'Podman refused the image: first',
    });
    await assert.rejects(readNdjson(body(line({ errorDetail: {} })), 'Docker'), { message: 'Docker refused the image: unknown error' });
  });

  test('a line that is not JSON fails, quoting (the start of) the line', async () => {
    await assert.rejects(readNdjson(body(line({ stream: 'ok' }), '<html>502 Bad Gateway</html>\n'), 'Docker'), {
      message: 'Docker refused the image: unexpected reply line from Docker: <html>502 Bad Gateway</html>',
    });
    await assert.rejects(readNdjson(body('x'.repeat(500)), 'Docker'), (e: Error) => e.message.endsWith(': ' + 'x'.repeat(200)));
    // A JSON line cut short by the end of the reply.
    await assert.rejects(readNdjson(body('{"stream":"Load'), 'Docker'), /unexpected reply line from Docker: \{"stream":"Load/);
  });

  test('an empty reply is no lines and no failure', async () => {
    assert.deepEqual(await readNdjson(body(), 'Docker'), { lines: [] });
  });
});

test('readNdjson: a character whose bytes arrive in two chunks stays whole', async () => {
  const bytes = Buffer.from(JSON.stringify({ stream: 'Loaded image: ünï:1' }) + '\n');
  const cut = bytes.indexOf(Buffer.from('ü')) + 1;
  async function* body() {
    yield bytes.subarray(0, cut);
    yield bytes.subarray(cut);
  }
  assert.deepEqual((await readNdjson(body(), 'Docker')).lines, ['Loaded image: ünï:1']);
});
