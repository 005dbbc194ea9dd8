import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  digestLayers,
  serveDigests
} from "./chunk-KYI6XPG2.mjs";
import "./chunk-VA3PXKDB.mjs";
import "./chunk-YUS43JPM.mjs";
import "./chunk-KSQWRWNM.mjs";
import "./chunk-6FQHKSVE.mjs";
import "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";
export {
  digestLayers,
  serveDigests
};
