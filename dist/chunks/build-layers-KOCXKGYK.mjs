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
} from "./chunk-VLAYT7W7.mjs";
import "./chunk-QYQHKPLY.mjs";
import "./chunk-VA3PXKDB.mjs";
import "./chunk-YUS43JPM.mjs";
import "./chunk-2IGULGB4.mjs";
import "./chunk-U7P74N4L.mjs";
import "./chunk-IL7AU26K.mjs";
import "./chunk-OWDD4U2F.mjs";
import "./chunk-CIGM6B6C.mjs";
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
