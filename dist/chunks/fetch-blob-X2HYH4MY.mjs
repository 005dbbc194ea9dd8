import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  runLimited
} from "./chunk-VA3PXKDB.mjs";
import {
  RegistryReader,
  buildLock
} from "./chunk-HML5JJRY.mjs";
import {
  RegistryClient,
  RegistryError,
  resolveCredential
} from "./chunk-UDBCNKGI.mjs";
import {
  debugEnabled
} from "./chunk-AO2UATTK.mjs";
import "./chunk-4C2TZ6CT.mjs";
import {
  parseRegistryReference
} from "./chunk-JO7HQLJM.mjs";
import {
  digestHex,
  isDigest
} from "./chunk-CIGM6B6C.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/commands/fetch-blob.ts
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
function registryHost(s) {
  return s.replace(/^[a-z]+:\/\//, "").replace(/\/+$/, "");
}
var env = process.env;
async function openReader(ref, f) {
  const credential = await resolveCredential(ref.registry, ref.repository, {
    credsFile: env.LONGSHORE_REGISTRY_CREDS_FILE || void 0,
    authfile: env.LONGSHORE_REGISTRY_AUTH_FILE || void 0
  });
  const client = new RegistryClient({ ref, credential, tlsVerify: f.tlsVerify, caCert: f.caCert, debug: debugEnabled(env) });
  await client.ping();
  return new RegistryReader(client, ref.repository);
}
async function closeReader(r) {
  await r.close();
  await r.client.close();
}
function staleHint(e, digest, where) {
  if (e instanceof RegistryError && e.status === 404) {
    throw new UserError("NOT_FOUND", `${e.message}`, `${where} no longer has blob ${digest}: the image was deleted or re-pushed since it was locked; re-run \`longshore lock\` and rebuild`);
  }
  throw e;
}
async function fetchBlobCommand(a) {
  if (!isDigest(a.digest)) throw new UserError("INVALID_REFERENCE", `fetch-blob: bad digest ${JSON.stringify(a.digest)}`);
  const ref = parseRegistryReference(`${registryHost(a.registry)}/${a.repository}`);
  const where = `${ref.registry}/${ref.repository}`;
  const reader = await openReader(ref, a);
  try {
    const tmp = `${a.out}.part`;
    const t0 = Date.now();
    await reader.blobToFile(a.digest, a.size, tmp).catch((e) => staleHint(e, a.digest, where));
    renameSync(tmp, a.out);
    process.stderr.write(`fetched ${a.digest} from ${where} in ${((Date.now() - t0) / 1e3).toFixed(2)} s
`);
  } finally {
    await closeReader(reader);
  }
}
async function fetchImageCommand(a) {
  const ref = parseRegistryReference(a.reference.replace(/^docker:\/\//, ""), `pullImage: ${a.reference}`);
  if (!ref.digest) throw new UserError("INVALID_REFERENCE", `pullImage: ${a.reference} has no digest; pass imageDigest = "sha256:\u2026"`);
  const where = `${ref.registry}/${ref.repository}`;
  const reader = await openReader(ref, a);
  try {
    const lock = await buildLock(reader, ref, a.platform);
    mkdirSync(join(a.out, "blobs"), { recursive: true });
    await runLimited(lock.layers, a.jobs ?? 3, async (l) => {
      const file = join(a.out, "blobs", digestHex(l.digest));
      await reader.blobToFile(l.digest, l.size, file + ".part").catch((e) => staleHint(e, l.digest, where));
      renameSync(file + ".part", file);
    });
    mkdirSync(dirname(join(a.out, "lock.json")), { recursive: true });
    writeFileSync(join(a.out, "lock.json"), JSON.stringify(lock, null, 2) + "\n");
    process.stderr.write(`fetched ${lock.reference}: ${lock.layers.length} layers
`);
  } finally {
    await closeReader(reader);
  }
}
export {
  fetchBlobCommand,
  fetchImageCommand,
  registryHost
};
