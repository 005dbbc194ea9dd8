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
} from "./chunk-WTPUMNVH.mjs";
import "./chunk-QYQHKPLY.mjs";
import "./chunk-VA3PXKDB.mjs";
import "./chunk-YUS43JPM.mjs";
import "./chunk-2IGULGB4.mjs";
import "./chunk-U7P74N4L.mjs";
import "./chunk-NWNPAVTG.mjs";
import "./chunk-OWDD4U2F.mjs";
import "./chunk-477LFGEH.mjs";
import "./chunk-AYVEAJJV.mjs";
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
