import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/util/atomic.ts
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
var FS_REASONS = {
  ENOSPC: ["NO_SPACE", "no space left on the device"],
  EDQUOT: ["NO_SPACE", "disk quota exceeded"],
  EACCES: ["PERMISSION_DENIED", "permission denied"],
  EPERM: ["PERMISSION_DENIED", "operation not permitted"],
  EROFS: ["PERMISSION_DENIED", "read-only file system"],
  EIO: ["FILE_SYSTEM", "input/output error"],
  ENOTDIR: ["FILE_SYSTEM", "a component of the path is not a directory"],
  EISDIR: ["FILE_SYSTEM", "it is a directory"],
  ENOENT: ["FILE_SYSTEM", "no such file or directory"],
  ELOOP: ["FILE_SYSTEM", "too many symbolic links"]
};
function fsReason(e) {
  const code = e?.code;
  return code && FS_REASONS[code] ? `${FS_REASONS[code][1]} (${code})` : code ?? String(e);
}
function fileError(e, file, verb = "writing") {
  const code = e?.code;
  if (e instanceof UserError || !code || !FS_REASONS[code]) return e;
  return new UserError(FS_REASONS[code][0], `${verb} ${file}: ${fsReason(e)}`);
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
async function makeDirectory(dir) {
  const attempt = async () => {
    try {
      await mkdir(dir);
      return void 0;
    } catch (e) {
      const code = e.code;
      if (code === "EEXIST" && await stat(dir).then((s) => s.isDirectory(), () => false)) return void 0;
      if (code === "EEXIST") throw new UserError("FILE_SYSTEM", `creating ${dir}: a file that is not a directory is in the way (EEXIST)`);
      if (code === "ENOENT") return code;
      throw fileError(e, dir, "creating");
    }
  };
  if (await attempt() === void 0) return;
  if (dirname(dir) === dir) throw new UserError("FILE_SYSTEM", `creating ${dir}: no such file or directory (ENOENT)`);
  await makeDirectory(dirname(dir));
  if (await attempt() !== void 0) throw new UserError("FILE_SYSTEM", `creating ${dir}: its parent exists but cannot hold it (ENOENT)`);
}

export {
  fsReason,
  fileError,
  writeAtomically,
  makeDirectory
};
