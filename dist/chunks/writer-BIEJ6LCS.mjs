import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  MTIME_SECONDS,
  WRITER_VERSION,
  digestLayer,
  layerTarStream
} from "./chunk-KSQWRWNM.mjs";
import "./chunk-6FQHKSVE.mjs";
import "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";
export {
  MTIME_SECONDS,
  WRITER_VERSION,
  digestLayer,
  layerTarStream
};
