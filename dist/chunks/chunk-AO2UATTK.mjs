import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/util/debug.ts
var debugEnabled = (env = process.env) => !!env.LONGSHORE_DEBUG && env.LONGSHORE_DEBUG !== "0";
function debugLog(msg) {
  process.stderr.write(`longshore: debug: [${performance.now().toFixed(0)} ms] ${msg}
`);
}

export {
  debugEnabled,
  debugLog
};
