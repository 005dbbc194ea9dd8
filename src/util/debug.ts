/** LONGSHORE_DEBUG=1 (anything but empty or 0) logs every registry and daemon request. */
export const debugEnabled = (env: NodeJS.ProcessEnv = process.env): boolean => !!env.LONGSHORE_DEBUG && env.LONGSHORE_DEBUG !== '0';

/** Stamped with milliseconds since the process started, to show where a slow run spends its time. */
export function debugLog(msg: string): void {
  process.stderr.write(`longshore: debug: [${performance.now().toFixed(0)} ms] ${msg}\n`);
}
