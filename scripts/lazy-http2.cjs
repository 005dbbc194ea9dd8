// Stands in for node:http2 inside undici's HTTP/2 client (see bundle.mjs). undici reads these
// constants when it loads but opens HTTP/2 sessions only with allowH2, which longshore never sets:
// the real module, and node:tls with it (about 10 ms), then loads on first use, not on every start.
'use strict';
let real;
const load = () => (real ??= require('node:http2'));
// Names fixed by HTTP/2 itself (RFC 9113); test/e2e/bundle.test.ts holds them to node:http2's.
const known = {
  HTTP2_HEADER_AUTHORITY: ':authority',
  HTTP2_HEADER_METHOD: ':method',
  HTTP2_HEADER_PATH: ':path',
  HTTP2_HEADER_SCHEME: ':scheme',
  HTTP2_HEADER_CONTENT_LENGTH: 'content-length',
  HTTP2_HEADER_EXPECT: 'expect',
  HTTP2_HEADER_STATUS: ':status',
  HTTP2_HEADER_PROTOCOL: ':protocol',
  NGHTTP2_REFUSED_STREAM: 7,
  NGHTTP2_CANCEL: 8,
};
module.exports = {
  known,
  constants: new Proxy(known, { get: (t, k) => (k in t ? t[k] : load().constants[k]) }),
  connect: (...args) => load().connect(...args),
};
