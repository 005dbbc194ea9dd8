// Failures below HTTP — a connection refused or reset, a name that does not resolve, a timeout, a
// TLS handshake that failed — turned into user errors that name the host and what was being done.
// Decided on the errno / undici / OpenSSL error codes, never on message text.
import { UserError, type ErrorCode } from '../util/errors.js';

/** The codes of the catalogue (src/util/errors.ts) a failure below HTTP gets. */
export type NetworkCode = Extract<
  ErrorCode,
  'CONNECTION_REFUSED' | 'NAME_NOT_RESOLVED' | 'HOST_UNREACHABLE' | 'TIMEOUT' | 'CONNECTION_RESET' | 'TLS' | 'PROXY_UNREACHABLE' | 'PROXY_AUTH' | 'PROXY_REFUSED'
>;

/** How a network failure is retried: 'backoff' as for an overloaded server, 'quick' a few times within a second, 'never'. */
export type RetryKind = 'backoff' | 'quick' | 'never';

export class NetworkError extends UserError {
  constructor(
    code: NetworkCode,
    message: string,
    readonly retry: RetryKind,
    hint?: string,
    override readonly cause?: unknown,
  ) {
    super(code, message, hint);
    this.name = 'NetworkError';
  }
}

const KINDS: Record<string, { code: NetworkCode; retry: RetryKind; text: string }> = {
  ECONNREFUSED: { code: 'CONNECTION_REFUSED', retry: 'quick', text: 'connection refused' },
  ENOTFOUND: { code: 'NAME_NOT_RESOLVED', retry: 'never', text: 'the host name does not resolve' },
  EAI_AGAIN: { code: 'NAME_NOT_RESOLVED', retry: 'quick', text: 'the host name could not be resolved (temporary DNS failure)' },
  EHOSTUNREACH: { code: 'HOST_UNREACHABLE', retry: 'quick', text: 'no route to the host' },
  ENETUNREACH: { code: 'HOST_UNREACHABLE', retry: 'quick', text: 'the network is unreachable' },
  ETIMEDOUT: { code: 'TIMEOUT', retry: 'backoff', text: 'the connection timed out' },
  UND_ERR_CONNECT_TIMEOUT: { code: 'TIMEOUT', retry: 'backoff', text: 'connecting timed out' },
  UND_ERR_HEADERS_TIMEOUT: { code: 'TIMEOUT', retry: 'backoff', text: 'the registry did not answer in time' },
  UND_ERR_BODY_TIMEOUT: { code: 'TIMEOUT', retry: 'backoff', text: 'the registry stopped sending mid-reply' },
  ECONNRESET: { code: 'CONNECTION_RESET', retry: 'backoff', text: 'the connection was reset' },
  EPIPE: { code: 'CONNECTION_RESET', retry: 'backoff', text: 'the connection was closed while sending' },
  ENOTCONN: { code: 'CONNECTION_RESET', retry: 'backoff', text: 'the connection was closed' },
  ECONNABORTED: { code: 'CONNECTION_RESET', retry: 'backoff', text: 'the connection was aborted' },
  UND_ERR_SOCKET: { code: 'CONNECTION_RESET', retry: 'backoff', text: 'the connection was closed by the other side' },
  UND_ERR_CLOSED: { code: 'CONNECTION_RESET', retry: 'backoff', text: 'the connection was closed' },
};

/** What the common certificate failures mean, in the terms of what to do about them. */
const TLS_TEXT: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not signed by a CA longshore trusts',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not signed by a CA longshore trusts',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a CA longshore does not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another host name',
  ERR_SSL_WRONG_VERSION_NUMBER: 'it does not speak TLS',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'it does not speak TLS',
};

/** OpenSSL and Node TLS codes: a handshake or certificate failure (ERR_SSL_…, CERT_…, …). */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|EPROTO$)/;

/** The error and its causes, outermost first. */
export function causes(e: unknown): { code?: string; message: string }[] {
  const out: { code?: string; message: string }[] = [];
  for (let cur = e, d = 0; cur && d < 5; d++, cur = (cur as { cause?: unknown }).cause) {
    out.push({ code: (cur as { code?: string }).code, message: cur instanceof Error ? cur.message : String(cur) });
  }
  return out;
}

/** Codes in the chain that mean the peer speaks plain HTTP, not TLS (or closed on our handshake). */
export function notTls(e: unknown): boolean {
  return causes(e).some((c) => c.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || c.code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || c.code === 'ECONNRESET' || c.code === 'UND_ERR_SOCKET');
}

/** The TLS failure in the chain of `e`, in the words of what to do about it, or undefined. */
export function tlsFailure(e: unknown): { code: string; text: string } | undefined {
  const tls = causes(e).find((c) => c.code && TLS_CODE.test(c.code));
  return tls && { code: tls.code!, text: TLS_TEXT[tls.code!] ?? tls.message };
}

/** The first errno / undici code in the chain of `e` that is a known network failure: its code, how it is retried, in words. */
export function networkKind(e: unknown): { code: NetworkCode; retry: RetryKind; text: string } | undefined {
  return causes(e)
    .map((c) => (c.code ? KINDS[c.code] : undefined))
    .find(Boolean);
}

/**
 * `e` as a NetworkError saying `what` (which names the host) failed and why, or undefined when `e` is not a
 * network failure (the caller rethrows it as it is).
 */
export function networkError(e: unknown, what: string, host: string): NetworkError | undefined {
  if (e instanceof NetworkError) return e;
  const tls = tlsFailure(e);
  if (tls)
    return new NetworkError(
      'TLS',
      `${what}: TLS failed: ${tls.text} (${tls.code})`,
      'never',
      'trust the registry CA with --ca-cert FILE, or use --tls-verify=false for a test registry',
      e,
    );
  const known = networkKind(e);
  if (!known) return undefined;
  const hint =
    known.code === 'CONNECTION_REFUSED'
      ? `is a registry listening at ${host}?`
      : known.code === 'NAME_NOT_RESOLVED'
        ? `check the registry name ${host.replace(/:\d+$/, '')} (and DNS, or a proxy: HTTPS_PROXY)`
        : undefined;
  return new NetworkError(known.code, `${what}: ${known.text}`, known.retry, hint, e);
}
