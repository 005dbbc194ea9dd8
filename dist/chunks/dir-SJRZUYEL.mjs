import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  DIR_VERSION,
  DirDestination,
  parseDirDestination
} from "./chunk-YJA6M4MP.mjs";
import "./chunk-GBOC2TZ3.mjs";
import "./chunk-AEDLIB2P.mjs";
import "./chunk-BWZXFGLC.mjs";
import "./chunk-AYVEAJJV.mjs";
import "./chunk-5SF5CXX5.mjs";
import "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";
export {
  DIR_VERSION,
  DirDestination,
  parseDirDestination
};
