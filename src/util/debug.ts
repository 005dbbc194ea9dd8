/** LONGSHORE_DEBUG=1 (anything but empty or 0) logs every registry and daemon request. */
export const debugEnabled = (env: NodeJS.ProcessEnv = process.env): boolean => !!env.LONGSHORE_DEBUG && env.LONGSHORE_DEBUG !== '0';

export function debugLog(msg: string): void {
  process.stderr.write(`longshore: debug: ${msg}\n`);
}
