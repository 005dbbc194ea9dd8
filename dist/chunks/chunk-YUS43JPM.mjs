import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/tar/worker-role.ts
var DIGEST_WORKER_ENV = "LONGSHORE_DIGEST_WORKER";
var isDigestWorker = () => process.env[DIGEST_WORKER_ENV] === "1";

export {
  DIGEST_WORKER_ENV,
  isDigestWorker
};
