// Registry failures as the user should read them: what was being done, the registry's code + message.
import { UserError, type ErrorCode } from '../util/errors.js';

export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** Parses the distribution error body `{"errors":[{code,message,detail}]}`; [] for anything else. */
export function parseErrorBody(text: string): RegistryErrorEntry[] {
  try {
    const doc = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: typeof e.message === 'string' ? e.message : undefined, detail: e.detail }));
  } catch {
    return [];
  }
}

/** The stable code of a registry's refusal, by HTTP status. */
function registryCode(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404) return 'NOT_FOUND';
  return 'REGISTRY_REFUSED';
}

export class RegistryError extends UserError {
  constructor(
    /** e.g. "uploading layer sha256:… to 127.0.0.1:5000/app" */
    readonly what: string,
    readonly status: number,
    readonly errors: RegistryErrorEntry[],
    bodySnippet = '',
    hint?: string,
  ) {
    const codes = errors.map((e) => `${e.code}${e.message ? ': ' + e.message : ''}`).join('; ');
    super(registryCode(status), `${what}: registry answered ${status}${codes ? ` (${codes})` : bodySnippet ? ` (${bodySnippet.slice(0, 200)})` : ''}`, hint);
    this.name = 'RegistryError';
  }
  has(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

/**
 * A registry answer worth trying again with backoff (408, 429, 5xx; an upload the registry lost; a
 * token that expired mid-request), with the server's Retry-After if any.
 */
export class TransientError extends UserError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    code: ErrorCode = 'REGISTRY_UNAVAILABLE',
  ) {
    super(code, message);
    this.name = 'TransientError';
  }
}
