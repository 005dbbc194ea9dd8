#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  isDigestWorker
} from "./chunks/chunk-YUS43JPM.mjs";
import {
  UserError
} from "./chunks/chunk-YSJMHLAX.mjs";
import "./chunks/chunk-MKYGQBWT.mjs";

// src/entry.ts
import module from "node:module";

// src/build-cli.ts
function boolFlag(v) {
  if (v === void 0 || v === "") return void 0;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new UserError("USAGE", `expected true or false, got ${JSON.stringify(v)}`);
}
var BUILD_COMMANDS = {
  "build-layers": {
    flags: ["attrs"],
    run: async (f, entryUrl) => (await import("./chunks/build-layers-CNY5P5RQ.mjs")).buildLayersCommand({ attrs: f.attrs, entryUrl })
  },
  "build-image": {
    flags: ["attrs"],
    run: async (f, entryUrl) => (await import("./chunks/build-image-DSK5MP4Z.mjs")).buildImageCommand({ attrs: f.attrs, entryUrl })
  },
  "build-nix-db": {
    flags: ["attrs"],
    run: async (f) => (await import("./chunks/build-nix-db-6MQPDX23.mjs")).buildNixDbCommand({ attrs: f.attrs })
  },
  "base-layers": {
    flags: ["attrs"],
    run: async (f) => (await import("./chunks/base-layers-2ER2LWNC.mjs")).baseLayersCommand({ attrs: f.attrs })
  },
  // Base images (issue 5): one registry blob into a fixed-output derivation's $out.
  "fetch-blob": {
    flags: ["registry", "repository", "digest", "size", "out", "tls-verify", "ca-cert", "manifest"],
    required: ["registry", "repository", "digest", "out"],
    run: async (f) => (await import("./chunks/fetch-blob-33S3HCZE.mjs")).fetchBlobCommand({
      registry: f.registry,
      repository: f.repository,
      digest: f.digest,
      size: f.size ? Number(f.size) : void 0,
      out: f.out,
      tlsVerify: boolFlag(f["tls-verify"]),
      caCert: f["ca-cert"] || void 0,
      manifest: boolFlag(f.manifest)
    })
  },
  "fetch-image": {
    flags: ["reference", "os", "arch", "variant", "out", "tls-verify", "ca-cert", "expected-hash"],
    required: ["reference", "out"],
    run: async (f) => (await import("./chunks/fetch-blob-33S3HCZE.mjs")).fetchImageCommand({
      reference: f.reference,
      platform: { os: f.os || "linux", architecture: f.arch || "amd64", ...f.variant ? { variant: f.variant } : {} },
      out: f.out,
      tlsVerify: boolFlag(f["tls-verify"]),
      caCert: f["ca-cert"] || void 0,
      expectedHash: f["expected-hash"]
    })
  }
};
var isBuildCommand = (cmd) => cmd !== void 0 && Object.hasOwn(BUILD_COMMANDS, cmd);
function parseFlags(args, known) {
  const out = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!m || !known.includes(m[1])) throw new UserError("USAGE", `unexpected argument ${JSON.stringify(args[i])}; expected ${known.map((k) => `--${k}`).join(", ")}`);
    out[m[1]] = m[2] ?? args[++i];
    if (out[m[1]] === void 0) throw new UserError("USAGE", `--${m[1]} needs a value`);
  }
  return out;
}
async function runBuild(args, entryUrl) {
  const [cmd, ...rest] = args;
  const c = BUILD_COMMANDS[cmd];
  if (!c || !Object.hasOwn(BUILD_COMMANDS, cmd)) throw new UserError("USAGE", `${cmd}: not a build-time command; expected one of ${Object.keys(BUILD_COMMANDS).join(", ")}`);
  const f = parseFlags(rest, c.flags);
  for (const k of c.required ?? []) if (!f[k]) throw new UserError("USAGE", `${cmd}: --${k} is required`);
  await c.run(f, entryUrl);
}

// src/entry.ts
var wantsJson = (argv) => argv.some((a) => a === "--json" || a === "--json=true");
function fatal(e) {
  if (e instanceof UserError) {
    process.stderr.write(`longshore: error: ${e.message}
${e.hint ? `hint: ${e.hint}
` : ""}`);
    if (wantsJson(process.argv.slice(3))) process.stdout.write(JSON.stringify({ error: { code: e.code, message: e.message, ...e.hint ? { hint: e.hint } : {} } }) + "\n");
  } else {
    process.stderr.write(`longshore: internal error: ${e instanceof Error ? e.stack : String(e)}
`);
  }
  process.exit(1);
}
try {
  const cmd = process.argv[2];
  if (isDigestWorker()) (await import("./chunks/digest-pool-WN5E4SJO.mjs")).serveDigests();
  else if (isBuildCommand(cmd)) await runBuild(process.argv.slice(2), import.meta.url);
  else {
    module.enableCompileCache();
    const copy = cmd === "copy" ? await import("./chunks/copy-main-WSLVQYWA.mjs") : void 0;
    const fast = copy?.parseCopyFast(process.argv.slice(2));
    if (fast && copy) await copy.copyCommand(fast);
    else await (await import("./chunks/cli-LR7J4EJJ.mjs")).run();
    process.exit(process.exitCode ?? 0);
  }
} catch (e) {
  fatal(e);
}
