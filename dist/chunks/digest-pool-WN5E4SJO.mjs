import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  digestLayers,
  serveDigests
} from "./chunk-6AOV2EEE.mjs";
import "./chunk-VA3PXKDB.mjs";
import "./chunk-YUS43JPM.mjs";
import "./chunk-XTL6BLDV.mjs";
import "./chunk-U7P74N4L.mjs";
import "./chunk-5SF5CXX5.mjs";
import "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";
export {
  digestLayers,
  serveDigests
};
