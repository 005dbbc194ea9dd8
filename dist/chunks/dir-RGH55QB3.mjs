import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  DIR_VERSION,
  DirDestination,
  parseDirDestination
} from "./chunk-UL4TJG2Q.mjs";
import "./chunk-UNAYW2DD.mjs";
import "./chunk-KMF2HFYC.mjs";
import "./chunk-ERSFCDHN.mjs";
import "./chunk-CIGM6B6C.mjs";
import "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";
export {
  DIR_VERSION,
  DirDestination,
  parseDirDestination
};
