import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/util/extra-ca.ts
var HANDOVER_ENV = "LONGSHORE_EXTRA_CA_CERTS";
var handed;
function takeHandedOverCaCerts(env = process.env) {
  const file = env[HANDOVER_ENV];
  if (file === void 0) return;
  delete env[HANDOVER_ENV];
  if (file === "") return;
  handed = file;
  env.NODE_EXTRA_CA_CERTS = file;
}
var deferredExtraCaFile = () => handed;

export {
  takeHandedOverCaCerts,
  deferredExtraCaFile
};
