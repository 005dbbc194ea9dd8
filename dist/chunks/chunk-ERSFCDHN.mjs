import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/util/atomic.ts
import { randomBytes } from "node:crypto";
import { rename, rm } from "node:fs/promises";
var FS_REASONS = {
  ENOSPC: ["NO_SPACE", "no space left on the device"],
  EDQUOT: ["NO_SPACE", "disk quota exceeded"],
  EACCES: ["PERMISSION_DENIED", "permission denied"],
  EPERM: ["PERMISSION_DENIED", "operation not permitted"],
  EROFS: ["PERMISSION_DENIED", "read-only file system"],
  EIO: ["FILE_SYSTEM", "input/output error"],
  ENOTDIR: ["FILE_SYSTEM", "a component of the path is not a directory"],
  EISDIR: ["FILE_SYSTEM", "it is a directory"]
};
function fileError(e, file, verb = "writing") {
  const code = e?.code;
  if (e instanceof UserError || !code || !FS_REASONS[code]) return e;
  const [errorCode, reason] = FS_REASONS[code];
  return new UserError(errorCode, `${verb} ${file}: ${reason} (${code})`);
}
async function writeAtomically(file, write) {
  const tmp = `${file}.tmp-${randomBytes(6).toString("hex")}`;
  try {
    const result = await write(tmp);
    await rename(tmp, file);
    return result;
  } catch (e) {
    await rm(tmp, { force: true });
    throw fileError(e, file);
  }
}

export {
  fileError,
  writeAtomically
};
