import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  DIR_VERSION
} from "./chunk-YJA6M4MP.mjs";
import "./chunk-GBOC2TZ3.mjs";
import "./chunk-AEDLIB2P.mjs";
import "./chunk-BWZXFGLC.mjs";
import {
  runLimited
} from "./chunk-VA3PXKDB.mjs";
import {
  buildLock
} from "./chunk-5FKCODPE.mjs";
import {
  RegistryReader
} from "./chunk-WCABCJER.mjs";
import {
  RegistryClient,
  RegistryError,
  resolveCredential
} from "./chunk-D6PQMSBU.mjs";
import {
  debugEnabled
} from "./chunk-AO2UATTK.mjs";
import {
  parseRegistryReference
} from "./chunk-JO7HQLJM.mjs";
import "./chunk-477LFGEH.mjs";
import {
  digestHex,
  isDigest
} from "./chunk-AYVEAJJV.mjs";
import "./chunk-5SF5CXX5.mjs";
import "./chunk-TF6H54TZ.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/commands/fetch-blob.ts
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join as join2 } from "node:path";

// src/util/nar.ts
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
function str(h, s) {
  const b = typeof s === "string" ? Buffer.from(s, "utf8") : s;
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(b.length));
  h.update(len);
  h.update(b);
  if (b.length % 8) h.update(Buffer.alloc(8 - b.length % 8));
}
async function node(h, path) {
  const st = await lstat(path);
  str(h, "(");
  str(h, "type");
  if (st.isSymbolicLink()) {
    str(h, "symlink");
    str(h, "target");
    str(h, await readlink(path, { encoding: "buffer" }));
  } else if (st.isDirectory()) {
    str(h, "directory");
    const names = (await readdir(path, { encoding: "buffer" })).sort(Buffer.compare);
    for (const name of names) {
      str(h, "entry");
      str(h, "(");
      str(h, "name");
      str(h, name);
      str(h, "node");
      await node(h, join(path, name.toString("utf8")));
      str(h, ")");
    }
  } else if (st.isFile()) {
    str(h, "regular");
    if (st.mode & 64) {
      str(h, "executable");
      str(h, "");
    }
    str(h, "contents");
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(st.size));
    h.update(len);
    let n = 0;
    for await (const chunk of createReadStream(path)) {
      h.update(chunk);
      n += chunk.length;
    }
    if (n !== st.size) throw new Error(`${path} changed while it was hashed`);
    if (n % 8) h.update(Buffer.alloc(8 - n % 8));
  } else {
    throw new Error(`${path}: Nix cannot store this kind of file`);
  }
  str(h, ")");
}
async function narSha256(path) {
  const h = createHash("sha256");
  str(h, "nix-archive-1");
  await node(h, path);
  return h.digest();
}
var BASE32 = "0123456789abcdfghijklmnpqrsvwxyz";
function fromNixBase32(s, size) {
  const out = Buffer.alloc(size);
  for (let n = 0; n < s.length; n++) {
    const digit = BASE32.indexOf(s[s.length - n - 1]);
    if (digit < 0) return void 0;
    const b = n * 5;
    const i = b >> 3;
    const j = b % 8;
    out[i] |= digit << j & 255;
    const carry = digit >> 8 - j;
    if (i + 1 < size) out[i + 1] |= carry;
    else if (carry) return void 0;
  }
  return out;
}
var toSri = (sha256) => `sha256-${sha256.toString("base64")}`;
function parseSha256(text) {
  const t = text.trim();
  const sri = /^sha256-([A-Za-z0-9+/]{43}=)$/.exec(t);
  if (sri) return Buffer.from(sri[1], "base64");
  const body = t.startsWith("sha256:") ? t.slice(7) : t;
  if (/^[0-9a-fA-F]{64}$/.test(body)) return Buffer.from(body, "hex");
  if (body.length === 52) return fromNixBase32(body, 32);
  if (/^[A-Za-z0-9+/]{43}=$/.test(body)) return Buffer.from(body, "base64");
  return void 0;
}

// src/commands/fetch-blob.ts
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
    if (a.manifest) writeFileSync(tmp, (await reader.manifest(a.digest).catch((e) => staleHint(e, a.digest, where))).bytes);
    else await reader.blobToFile(a.digest, a.size, tmp).catch((e) => staleHint(e, a.digest, where));
    renameSync(tmp, a.out);
    process.stderr.write(`fetched ${a.manifest ? "manifest " : ""}${a.digest} from ${where} in ${((Date.now() - t0) / 1e3).toFixed(2)} s
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
    mkdirSync(a.out, { recursive: true });
    writeFileSync(join2(a.out, "version"), DIR_VERSION);
    const blobs = new Map(lock.layers.map((l) => [l.digest, l.size]));
    await runLimited([...blobs], a.jobs ?? 3, async ([digest, size]) => {
      const file = join2(a.out, digestHex(digest));
      await reader.blobToFile(digest, size, file + ".part").catch((e) => staleHint(e, digest, where));
      renameSync(file + ".part", file);
    });
    writeFileSync(join2(a.out, digestHex(lock.config.digest)), lock.config.raw);
    writeFileSync(join2(a.out, "manifest.json"), lock.manifest.raw);
    process.stderr.write(`fetched ${lock.reference}: ${lock.layers.length} layers
`);
  } finally {
    await closeReader(reader);
  }
  if (a.expectedHash !== void 0) await checkNarHash(a.out, a.reference, a.expectedHash);
}
async function checkNarHash(dir, reference, expected) {
  const got = await narSha256(dir);
  if (parseSha256(expected)?.equals(got)) return;
  const sri = toSri(got);
  throw new UserError(
    "HASH_MISMATCH",
    `pullImage: ${reference} has hash ${sri}, not the sha256 given (${expected || "empty"}); set sha256 = "${sri}";`,
    "the hash is the NAR hash of what `skopeo copy docker://NAME@DIGEST dir:$out` writes (nix2container's pullImage stores the same, so its sha256 values fit; longshore's earlier pullImage stored another layout)"
  );
}
export {
  checkNarHash,
  fetchBlobCommand,
  fetchImageCommand,
  registryHost
};
