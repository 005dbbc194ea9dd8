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
} from "./chunk-WIIZMGEP.mjs";
import "./chunk-QAQMOS3E.mjs";
import "./chunk-MCUE2TH7.mjs";
import "./chunk-AO2UATTK.mjs";
import "./chunk-4C2TZ6CT.mjs";
import "./chunk-JO7HQLJM.mjs";
import "./chunk-477LFGEH.mjs";
import "./chunk-AYVEAJJV.mjs";
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
