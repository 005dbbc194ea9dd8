import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  MTIME_SECONDS,
  WRITER_VERSION,
  digestLayer,
  layerTarStream
} from "./chunk-XTL6BLDV.mjs";
import "./chunk-U7P74N4L.mjs";
import "./chunk-5SF5CXX5.mjs";
import "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";
export {
  MTIME_SECONDS,
  WRITER_VERSION,
  digestLayer,
  layerTarStream
};
