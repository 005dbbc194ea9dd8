import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  DEFAULT_PLATFORM,
  LOCK_KIND,
  LOCK_VERSION,
  buildLock,
  checkLock,
  choosePlatform,
  configDescriptor,
  imageParts,
  lockCommand,
  manifestCommand,
  manifestMediaType,
  parseSourceRef,
  resolveManifest
} from "./chunk-5FKCODPE.mjs";
import "./chunk-WCABCJER.mjs";
import "./chunk-D6PQMSBU.mjs";
import "./chunk-AO2UATTK.mjs";
import "./chunk-JO7HQLJM.mjs";
import "./chunk-477LFGEH.mjs";
import "./chunk-AYVEAJJV.mjs";
import "./chunk-5SF5CXX5.mjs";
import "./chunk-TF6H54TZ.mjs";
import "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";
export {
  DEFAULT_PLATFORM,
  LOCK_KIND,
  LOCK_VERSION,
  buildLock,
  checkLock,
  choosePlatform,
  configDescriptor,
  imageParts,
  lockCommand,
  manifestCommand,
  manifestMediaType,
  parseSourceRef,
  resolveManifest
};
