import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/util/errors.ts
var UserError = class extends Error {
  constructor(code, message, hint) {
    super(message);
    this.code = code;
    this.hint = hint;
    this.name = "UserError";
  }
  code;
  hint;
};
var DigestMismatchError = class extends UserError {
  constructor(message, culprit) {
    super("DIGEST_MISMATCH", message);
    this.culprit = culprit;
    this.name = "DigestMismatchError";
  }
  culprit;
};
var hasCode = (e, code) => e instanceof UserError && e.code === code;

export {
  UserError,
  DigestMismatchError,
  hasCode
};
