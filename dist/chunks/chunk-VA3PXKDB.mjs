import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/util/limit.ts
async function runLimited(items, jobs, fn) {
  const results = new Array(items.length);
  let next = 0;
  let failed;
  const worker = async () => {
    while (failed === void 0 && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  if (failed !== void 0) throw failed;
  return results;
}

export {
  runLimited
};
