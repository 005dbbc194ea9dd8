import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  DIR_VERSION,
  DirDestination,
  parseDirDestination
} from "./chunk-YF5SJCFO.mjs";
import "./chunk-CFVBUFOL.mjs";
import "./chunk-AEDLIB2P.mjs";
import "./chunk-ERSFCDHN.mjs";
import "./chunk-BWZXFGLC.mjs";
import "./chunk-AYVEAJJV.mjs";
import "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";
export {
  DIR_VERSION,
  DirDestination,
  parseDirDestination
};
