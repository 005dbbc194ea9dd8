import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/util/measure.ts
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
var Measuring = class extends Transform {
  measured;
  hash = createHash("sha256");
  size = 0;
  settle;
  constructor() {
    super();
    this.measured = new Promise((resolve, reject) => this.settle = { resolve, reject });
    this.measured.catch(() => {
    });
  }
  _transform(chunk, _e, cb) {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
  _flush(cb) {
    this.settle.resolve({ digest: "sha256:" + this.hash.digest("hex"), size: this.size });
    cb();
  }
  _destroy(err, cb) {
    this.settle.reject(err ?? new Error("the stream was closed before its end"));
    cb(err);
  }
};
function measuring(src, known) {
  if (known) {
    const out = src;
    const measured = new Promise((resolve, reject) => {
      src.once("end", () => resolve(known));
      src.once("error", reject);
      src.once("close", () => reject(new Error("the stream was closed before its end")));
    });
    measured.catch(() => {
    });
    Object.defineProperty(out, "measured", { value: measured });
    return out;
  }
  const m = new Measuring();
  src.once("error", (e) => m.destroy(e));
  m.once("close", () => src.destroy());
  return src.pipe(m);
}

export {
  measuring
};
