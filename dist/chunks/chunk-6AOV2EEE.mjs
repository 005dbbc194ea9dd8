import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  runLimited
} from "./chunk-VA3PXKDB.mjs";
import {
  DIGEST_WORKER_ENV
} from "./chunk-YUS43JPM.mjs";
import {
  digestLayer
} from "./chunk-XTL6BLDV.mjs";
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/tar/digest-pool.ts
import { availableParallelism } from "node:os";
import { Worker, parentPort } from "node:worker_threads";
function serveDigests() {
  parentPort.on("message", (msg) => {
    try {
      parentPort.postMessage({ id: msg.id, result: digestLayer(msg.content, { build: true }) });
    } catch (e) {
      parentPort.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e), code: e instanceof UserError ? e.code : void 0, hint: e instanceof UserError ? e.hint : void 0 });
    }
  });
}
async function digestLayers(contents, entryUrl, jobs = availableParallelism()) {
  const n = Math.max(1, Math.min(jobs, contents.length));
  if (!entryUrl || !entryUrl.endsWith(".mjs") || n === 1) return runLimited(contents, 1, async (c) => digestLayer(c, { build: true }));
  const workers = Array.from({ length: n - 1 }, () => new Worker(new URL(entryUrl), { env: { ...process.env, [DIGEST_WORKER_ENV]: "1" } }));
  try {
    let nextId = 0;
    const free = ["here", ...workers];
    return await runLimited(contents, n, async (content) => {
      const w = free.pop();
      try {
        if (w === "here") return digestLayer(content, { build: true });
        return await new Promise((resolve, reject) => {
          const id = nextId++;
          const onMsg = (m) => {
            if (m.id !== id) return;
            w.off("message", onMsg);
            w.off("error", reject);
            if (m.error !== void 0) reject(m.code ? new UserError(m.code, m.error, m.hint) : new Error(m.error));
            else resolve(m.result);
          };
          w.on("message", onMsg);
          w.once("error", reject);
          w.postMessage({ id, content });
        });
      } finally {
        free.push(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export {
  serveDigests,
  digestLayers
};
