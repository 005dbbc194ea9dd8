import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  MAX_LAYERS_HARD,
  MAX_LAYERS_SOFT,
  buildLayers,
  buildLayersCommand,
  parseLayerSpec,
  pathSize,
  storeCopyWarnings,
  tooManyLayers
} from "./chunk-C4ZJV6OK.mjs";
import "./chunk-6AOV2EEE.mjs";
import "./chunk-VA3PXKDB.mjs";
import "./chunk-YUS43JPM.mjs";
import "./chunk-XTL6BLDV.mjs";
import "./chunk-U7P74N4L.mjs";
import "./chunk-SNDITNA7.mjs";
import "./chunk-OWDD4U2F.mjs";
import "./chunk-477LFGEH.mjs";
import "./chunk-AYVEAJJV.mjs";
import "./chunk-5SF5CXX5.mjs";
import "./chunk-TF6H54TZ.mjs";
import "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";
export {
  MAX_LAYERS_HARD,
  MAX_LAYERS_SOFT,
  buildLayers,
  buildLayersCommand,
  parseLayerSpec,
  pathSize,
  storeCopyWarnings,
  tooManyLayers
};
