// What `longshore copy` needs, as one import: the edit/push loop runs it on every change, and each
// module boundary is a round of the ESM loader.

export { parseCopyFast } from './copy-fast.js';
export { copyCommand } from './commands/copy.js';
