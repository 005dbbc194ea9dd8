import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/dest/flags.ts
function extraTags(flags, first, check) {
  const out = [];
  for (const t of flags.tags ?? []) {
    check(t);
    if (t !== first && !out.includes(t)) out.push(t);
  }
  return out;
}

export {
  extraTags
};
