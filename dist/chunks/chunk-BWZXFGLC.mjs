import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/copy/types.ts
var isIndex = (t) => "images" in t;
var CopyAgain = class extends UserError {
  constructor(message, reuse) {
    super("COPY_AGAIN", message);
    this.reuse = reuse;
  }
  reuse;
};

export {
  isIndex,
  CopyAgain
};
