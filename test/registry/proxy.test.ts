// Which proxy a registry URL goes through (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, the loopback rule),
// how proxy URLs are read and shown, and what a proxy's failures become. No network: the e2e tier
// (test/e2e/registry-proxy.test.ts) runs a real proxy and registry.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connections, ProxyLegError, ProxyStatusError, noProxyMatches, parseNoProxy, parseProxyUrl, proxyError, proxyFor, proxySettings, type ProxySettings } from '../../src/registry/proxy.js';
import { registryTls } from '../../src/registry/tls.js';
import { NetworkError } from '../../src/registry/network.js';
import { UserError } from '../../src/util/errors.js';

const settings = (env: Record<string, string>): ProxySettings => {
  const s = proxySettings(env);
  assert.ok(s, 'settings');
  return s;
};
const route = (env: Record<string, string>, url: string) => {
  const s = proxySettings(env);
  return s && proxyFor(s, new URL(url))?.origin;
};
const errno = (code: string) => Object.assign(new Error(`${code} from the socket`), { code });

describe('the proxy variables', () => {
  test('none set (or all empty): nothing to do, every URL is reached directly', () => {
    assert.equal(proxySettings({}), undefined);
    assert.equal(proxySettings({ HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', NO_PROXY: 'x' }), undefined);
  });

  test('the lowercase spelling wins over the uppercase one (curl); an empty value counts as unset (curl, Go)', () => {
    assert.deepEqual(settings({ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' }).https, { name: 'https_proxy', value: 'http://lower:1' });
    assert.deepEqual(settings({ https_proxy: '', HTTPS_PROXY: 'http://upper:1' }).https, { name: 'HTTPS_PROXY', value: 'http://upper:1' });
    assert.deepEqual(settings({ http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:1' }).http, { name: 'http_proxy', value: 'http://lower:1' });
    assert.deepEqual(settings({ HTTP_PROXY: 'http://upper:1' }).http, { name: 'HTTP_PROXY', value: 'http://upper:1' });
    // no_proxy too: the lowercase list replaces the uppercase one, it is not merged with it.
    const s = settings({ HTTPS_PROXY: 'http://p:1', no_proxy: 'a.example', NO_PROXY: 'b.example' });
    assert.ok(noProxyMatches(s.noProxy, 'a.example', 443));
    assert.ok(!noProxyMatches(s.noProxy, 'b.example', 443));
  });

  test('https: URLs use HTTPS_PROXY only, http: URLs HTTP_PROXY only (neither stands in for the other)', () => {
    assert.equal(route({ HTTPS_PROXY: 'http://sp:1' }, 'https://reg.example/v2/'), 'http://sp:1');
    assert.equal(route({ HTTPS_PROXY: 'http://sp:1' }, 'http://reg.example/v2/'), undefined);
    assert.equal(route({ HTTP_PROXY: 'http://p:1' }, 'https://reg.example/v2/'), undefined);
    assert.equal(route({ HTTP_PROXY: 'http://p:1' }, 'http://reg.example/v2/'), 'http://p:1');
  });

  test('loopback hosts are reached directly unless LONGSHORE_PROXY_LOOPBACK is set (and not 0)', () => {
    const env = { HTTPS_PROXY: 'http://sp:1', HTTP_PROXY: 'http://p:1' };
    for (const url of ['https://127.0.0.1:5000/v2/', 'http://127.1.2.3/v2/', 'https://localhost:5000/v2/', 'http://[::1]:5000/v2/', 'https://LOCALHOST/v2/']) {
      assert.equal(route(env, url), undefined, url);
      assert.ok(route({ ...env, LONGSHORE_PROXY_LOOPBACK: '1' }, url), url);
      assert.equal(route({ ...env, LONGSHORE_PROXY_LOOPBACK: '0' }, url), undefined, url);
    }
    // NO_PROXY still applies to a loopback host sent through the proxy.
    assert.equal(route({ ...env, LONGSHORE_PROXY_LOOPBACK: '1', NO_PROXY: 'localhost' }, 'https://localhost:5000/v2/'), undefined);
    // Not loopback: names that merely look like it.
    assert.ok(route(env, 'https://localhost.example/v2/'));
    assert.ok(route(env, 'https://128.0.0.1/v2/'));
  });
});

describe('NO_PROXY', () => {
  const m = (list: string, host: string, port = 443) => noProxyMatches(parseNoProxy(list), host, port);

  test('a name matches itself and every name under it, with or without a leading dot (curl)', () => {
    for (const entry of ['example.com', '.example.com', 'EXAMPLE.COM', 'example.com.']) {
      assert.ok(m(entry, 'example.com'), entry);
      assert.ok(m(entry, 'registry.example.com'), entry);
      assert.ok(m(entry, 'a.b.example.com'), entry);
      assert.ok(!m(entry, 'badexample.com'), entry);
      assert.ok(!m(entry, 'example.com.evil'), entry);
    }
    assert.ok(m('example.com', 'Registry.Example.COM'));
    assert.ok(m('example.com', 'registry.example.com.'), 'a trailing dot on the host');
  });

  test('*.example.com matches only the names under it', () => {
    assert.ok(m('*.example.com', 'registry.example.com'));
    assert.ok(!m('*.example.com', 'example.com'));
  });

  test('* alone matches every host; a * inside a name is not a pattern', () => {
    assert.ok(m('*', 'anything.example'));
    assert.ok(m('a.example, *', '10.1.2.3'));
    assert.ok(!m('reg*.example', 'registry.example'));
  });

  test('HOST:PORT matches that port only; a URL without a port has its scheme default', () => {
    assert.ok(m('reg.example:5000', 'reg.example', 5000));
    assert.ok(!m('reg.example:5000', 'reg.example', 443));
    assert.ok(m('.example:443', 'reg.example', 443));
    assert.ok(m('reg.example', 'reg.example', 5000), 'no port: every port');
    const s = settings({ HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1', NO_PROXY: 'reg.example:443' });
    assert.equal(proxyFor(s, new URL('https://reg.example/v2/')), undefined);
    assert.ok(proxyFor(s, new URL('http://reg.example/v2/')), 'http: defaults to 80');
  });

  test('IP addresses match hosts written as that address (no DNS lookups); IPv6 in any spelling', () => {
    assert.ok(m('10.1.2.3', '10.1.2.3'));
    assert.ok(!m('10.1.2.3', '10.1.2.4'));
    assert.ok(m('10.1.2.3:5000', '10.1.2.3', 5000));
    assert.ok(!m('10.1.2.3:5000', '10.1.2.3', 443));
    assert.ok(m('fd00::1', '[fd00::1]'));
    assert.ok(m('[fd00::1]', '[fd00:0:0::1]'));
    assert.ok(m('[fd00::1]:5000', '[fd00::1]', 5000));
    assert.ok(!m('[fd00::1]:5000', '[fd00::1]', 443));
    assert.ok(!m('10.1.2.3', 'reg.example'), 'a name is not looked up');
    assert.ok(!m('2.3', '10.1.2.3'), 'no suffix matching on addresses');
  });

  test('CIDR ranges, IPv4 and IPv6', () => {
    assert.ok(m('10.0.0.0/8', '10.200.3.4'));
    assert.ok(!m('10.0.0.0/8', '11.0.0.1'));
    assert.ok(m('192.168.0.0/16,fd00::/8', '[fd12::3]'));
    assert.ok(!m('fd00::/8', '[fe80::1]'));
    assert.ok(!m('10.0.0.0/8', 'ten.example'));
  });

  test('separators: commas and white space; empty and unreadable entries are ignored', () => {
    assert.ok(m(' a.example ,, b.example\tc.example ', 'c.example'));
    assert.ok(m('a.example b.example', 'b.example'));
    assert.deepEqual(parseNoProxy(', ,10.0.0.0/99,[::1/x,a..b?,'), []);
  });
});

describe('proxy URLs', () => {
  test('HOST:PORT means http:// (curl, Go); https:// is a TLS proxy; the port defaults to the scheme', () => {
    assert.equal(parseProxyUrl({ name: 'HTTPS_PROXY', value: 'proxy.corp:3128' }).origin, 'http://proxy.corp:3128');
    assert.equal(parseProxyUrl({ name: 'HTTPS_PROXY', value: 'proxy.corp' }).origin, 'http://proxy.corp');
    assert.equal(parseProxyUrl({ name: 'HTTPS_PROXY', value: 'https://proxy.corp:8443/' }).origin, 'https://proxy.corp:8443');
    assert.equal(parseProxyUrl({ name: 'HTTPS_PROXY', value: 'HTTP://Proxy.Corp:3128/ignored/path' }).origin, 'http://proxy.corp:3128');
  });

  test('USER:PASSWORD become Basic Proxy-Authorization (percent-decoded), and are shown with the password replaced', () => {
    const p = parseProxyUrl({ name: 'https_proxy', value: 'http://bob%40corp:p%40ss%3Aw%2Frd@proxy.corp:3128' });
    assert.equal(p.authorization, 'Basic ' + Buffer.from('bob@corp:p@ss:w/rd').toString('base64'));
    assert.equal(p.shown, 'http://bob%40corp:xxxxx@proxy.corp:3128');
    assert.equal(p.variable, 'https_proxy');
    assert.equal(p.origin, 'http://proxy.corp:3128', 'no credentials in the origin');
    assert.equal(parseProxyUrl({ name: 'X', value: 'http://bob@proxy:1' }).shown, 'http://bob@proxy:1');
    assert.equal(parseProxyUrl({ name: 'X', value: 'http://proxy:1' }).authorization, undefined);
  });

  test('unsupported schemes and unreadable values: PROXY_CONFIG naming the variable, never repeating the value', () => {
    for (const [value, message, secret] of [
      ['socks5://u:secret@proxy:1080', /^HTTPS_PROXY: socks5:\/\/ proxies are not supported$/, 'secret'],
      ['http://u:sec/ret@proxy:3128', /^HTTPS_PROXY is not a proxy URL$/, 'sec'], // an unencoded / ends the host part
      ['http://u:%ZZsecret@proxy:3128', /^HTTPS_PROXY is not a proxy URL$/, 'secret'],
      ['http://:3128', /^HTTPS_PROXY is not a proxy URL$/, '3128'],
    ] as const) {
      assert.throws(
        () => parseProxyUrl({ name: 'HTTPS_PROXY', value }),
        (e: unknown) => e instanceof UserError && e.code === 'PROXY_CONFIG' && message.test(e.message) && !`${e.message} ${e.hint}`.includes(secret),
        value,
      );
    }
    // WHATWG URL parsing is lenient where it can be: an unencoded @ or space in the password still works.
    assert.equal(parseProxyUrl({ name: 'X', value: 'http://u:p@ss word@proxy:1' }).authorization, 'Basic ' + Buffer.from('u:p@ss word').toString('base64'));
  });

  test('a bad proxy URL only matters for URLs that would use it', () => {
    const s = settings({ HTTPS_PROXY: 'socks5://proxy:1080', NO_PROXY: 'direct.example' });
    assert.equal(proxyFor(s, new URL('https://direct.example/v2/')), undefined);
    assert.throws(() => proxyFor(s, new URL('https://other.example/v2/')), { code: 'PROXY_CONFIG' });
  });
});

describe('what a proxy failure becomes', () => {
  const proxy = parseProxyUrl({ name: 'HTTPS_PROXY', value: 'http://bob:secret@proxy.corp:3128' });
  const anonymous = parseProxyUrl({ name: 'https_proxy', value: 'http://proxy.corp:3128' });
  const url = new URL('https://registry.example:5000/v2/');
  const what = 'connecting to the registry at registry.example:5000';
  const classify = (e: unknown, p = proxy, forward = false) => proxyError(e, what, p, url, forward);

  test('407: PROXY_AUTH, never retried; the hint depends on whether the URL had credentials', () => {
    const e = classify(new ProxyStatusError(407))!;
    assert.ok(e instanceof NetworkError);
    assert.equal(e.code, 'PROXY_AUTH');
    assert.equal(e.retry, 'never');
    assert.equal(e.message, `${what}: the proxy http://bob:xxxxx@proxy.corp:3128 (HTTPS_PROXY) refused its credentials (407 Proxy Authentication Required)`);
    assert.match(e.hint!, /check the user and password in HTTPS_PROXY/);
    const none = classify(new ProxyStatusError(407), anonymous)!;
    assert.equal(none.message, `${what}: the proxy http://proxy.corp:3128 (https_proxy) asks for credentials (407 Proxy Authentication Required)`);
    assert.match(none.hint!, /^put them in https_proxy: http:\/\/USER:PASSWORD@HOST:PORT/);
  });

  test('403 and other refusals: PROXY_REFUSED, never retried; 502/503/504: the proxy could not connect, retried quickly', () => {
    const denied = classify(new ProxyStatusError(403))!;
    assert.equal(denied.code, 'PROXY_REFUSED');
    assert.equal(denied.retry, 'never');
    assert.match(denied.message, /the proxy http:\/\/bob:xxxxx@proxy\.corp:3128 \(HTTPS_PROXY\) refused to connect to registry\.example:5000 \(403\)$/);
    assert.match(denied.hint!, /list registry\.example in NO_PROXY/);
    for (const status of [502, 503, 504]) {
      const bad = classify(new ProxyStatusError(status))!;
      assert.equal(bad.code, 'PROXY_REFUSED');
      assert.equal(bad.retry, 'quick');
      assert.match(bad.message, new RegExp(`could not connect to registry\\.example:5000 \\(${status}\\)$`));
    }
  });

  test('failures on the way to the proxy: PROXY_UNREACHABLE, retried as the same failure to a registry would be', () => {
    const refused = classify(new ProxyLegError(errno('ECONNREFUSED')))!;
    assert.equal(refused.code, 'PROXY_UNREACHABLE');
    assert.equal(refused.retry, 'quick');
    assert.equal(refused.message, `${what}: cannot reach the proxy http://bob:xxxxx@proxy.corp:3128 (HTTPS_PROXY): connection refused`);
    assert.equal(refused.hint, 'is a proxy listening at proxy.corp:3128? check HTTPS_PROXY, or list registry.example in NO_PROXY if it is reachable without the proxy');
    const unresolved = classify(new ProxyLegError(errno('ENOTFOUND')))!;
    assert.equal(unresolved.retry, 'never');
    assert.match(unresolved.message, /: the host name does not resolve$/);
    assert.equal(unresolved.hint, "check the proxy's host name in HTTPS_PROXY");
    const tls = classify(new ProxyLegError(errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE')))!;
    assert.equal(tls.code, 'PROXY_UNREACHABLE');
    assert.match(tls.message, /TLS with the proxy .* failed: its certificate is not signed by a CA longshore trusts/);
    assert.match(tls.hint!, /NODE_EXTRA_CA_CERTS/);
  });

  test("inside a tunnel, the registry's own failures are left to network.ts (they name the registry)", () => {
    assert.equal(classify(errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE')), undefined);
    assert.equal(classify(errno('ECONNRESET')), undefined);
    assert.equal(classify(new Error('something else')), undefined);
  });

  test('plain HTTP sent to the proxy itself: a failure to connect is the proxy\'s; a reset is not decided', () => {
    assert.equal(classify(errno('ECONNREFUSED'), proxy, true)!.code, 'PROXY_UNREACHABLE');
    assert.equal(classify(errno('EAI_AGAIN'), proxy, true)!.code, 'PROXY_UNREACHABLE');
    assert.equal(classify(errno('ECONNRESET'), proxy, true), undefined);
  });

  test('the password never appears in any message or hint', () => {
    for (const e of [new ProxyStatusError(407), new ProxyStatusError(403), new ProxyStatusError(502), new ProxyLegError(errno('ECONNREFUSED')), new ProxyLegError(errno('ENOTFOUND'))]) {
      const n = classify(e)!;
      assert.ok(!`${n.message} ${n.hint}`.includes('secret'), n.message);
    }
  });
});

describe('Connections', () => {
  const tls = registryTls({});
  const options = { bodyTimeout: 1000, headersTimeout: 1000 };

  test('credentials are never sent to a proxy in plain HTTP: refused before connecting (the proxy here does not exist)', async () => {
    const c = new Connections(tls, options, { HTTP_PROXY: 'http://u:pw@127.0.0.1:9' });
    for (const [headers, secret] of [[{ Authorization: 'Basic eDp5' }, false], [{}, true]] as const) {
      await assert.rejects(c.request('http://registry.example:5000/v2/', { method: 'GET', headers: { ...headers }, secret, what: 'pinging' }), (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.equal(e.code, 'PROXY_PLAIN_HTTP');
        assert.equal(e.message, 'pinging: not sending the credentials for registry.example:5000 through the proxy http://u:xxxxx@127.0.0.1:9 (HTTP_PROXY) in plain HTTP, where the proxy could read them');
        return true;
      });
    }
    await c.close();
  });

  test('without proxy variables nothing is parsed and every URL is direct', async () => {
    const c = new Connections(tls, options, { NO_PROXY: '*' });
    assert.equal(c.proxyFor(new URL('https://registry.example/v2/')), undefined);
    await c.close();
  });
});
