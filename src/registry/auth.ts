// WWW-Authenticate challenges and bearer tokens: cached per scope set, refreshed on expiry, widened on insufficient_scope.
import type { Credential } from './credentials.js';
import { UserError } from '../util/errors.js';

export interface Challenge {
  scheme: 'bearer' | 'basic' | string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (several challenges in one header too). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const text = Array.isArray(header) ? header.join(', ') : header ?? '';
  const out: Challenge[] = [];
  const word = /[\s,]*([A-Za-z0-9!#$%&'*+.^_`|~-]+)/y;
  let cur: Challenge | undefined;
  let i = 0;
  while (i < text.length) {
    word.lastIndex = i;
    const m = word.exec(text);
    if (!m) break;
    i = word.lastIndex;
    const eq = /^\s*=\s*/.exec(text.slice(i));
    if (!eq) {
      cur = { scheme: m[1].toLowerCase(), params: {} };
      out.push(cur);
      continue;
    }
    i += eq[0].length;
    let value = '';
    if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) value += text[i] === '\\' ? text[++i] ?? '' : text[i];
      i++;
    } else {
      const v = /^[^\s,]*/.exec(text.slice(i))![0];
      value = v;
      i += v.length;
    }
    if (cur) cur.params[m[1].toLowerCase()] = value;
  }
  return out;
}

export function basicHeader(username: string, password: string): string {
  return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
}

interface CachedToken {
  token: string;
  expiresAt: number; // ms epoch
}

/** Fetches a URL for the token endpoint; supplied by the client so TLS settings apply. */
export type TokenFetcher = (
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; text: string }>;

const EARLY_REFRESH_MS = 5_000;

export class Authenticator {
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();
  /** Scopes learned from insufficient_scope challenges, added to every later token request. */
  private readonly extraScopes = new Set<string>();

  constructor(
    private readonly credential: Credential | undefined,
    private readonly fetchToken: TokenFetcher,
    private readonly registry: string,
  ) {}

  setChallenge(header: string | string[] | undefined): void {
    const all = parseChallenges(header);
    this.challenge = all.find((c) => c.scheme === 'bearer') ?? all.find((c) => c.scheme === 'basic') ?? this.challenge;
  }

  get scheme(): string | undefined {
    return this.challenge?.scheme;
  }

  /** The Authorization header for a request needing `scopes`, or undefined (anonymous, no challenge seen). */
  async header(scopes: string[]): Promise<string | undefined> {
    const c = this.credential;
    if (c?.kind === 'bearer') return `Bearer ${c.token}`;
    if (!this.challenge) return undefined;
    if (this.challenge.scheme === 'basic') {
      return c?.kind === 'basic' ? basicHeader(c.username, c.password) : undefined;
    }
    if (this.challenge.scheme !== 'bearer') return undefined;
    const all = [...new Set([...scopes, ...this.extraScopes])].sort();
    const key = all.join(' ');
    const hit = this.tokens.get(key);
    if (hit && hit.expiresAt - EARLY_REFRESH_MS > Date.now()) return `Bearer ${hit.token}`;
    let p = this.pending.get(key);
    if (!p) {
      p = this.requestToken(all).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    const t = await p;
    this.tokens.set(key, t);
    return `Bearer ${t.token}`;
  }

  /**
   * After a 401: learns the new challenge, drops cached tokens (expired or too narrow) and widens
   * scopes on insufficient_scope. Returns false when trying again cannot help.
   */
  unauthorized(header: string | string[] | undefined, hadAuth: boolean): boolean {
    const before = this.challenge?.scheme;
    this.setChallenge(header);
    const ch = this.challenge;
    if (!ch) return false;
    if (ch.scheme === 'bearer' && this.credential?.kind !== 'bearer') {
      if (ch.params.error === 'insufficient_scope' && ch.params.scope) {
        for (const s of ch.params.scope.split(' ')) this.extraScopes.add(s);
      }
      this.tokens.clear();
      return true;
    }
    if (ch.scheme === 'basic') return !hadAuth && this.credential?.kind === 'basic';
    return before !== ch.scheme;
  }

  private async requestToken(scopes: string[]): Promise<CachedToken> {
    const ch = this.challenge!;
    const realm = ch.params.realm;
    if (!realm) throw new UserError('TOKEN_SERVER', `${this.registry}: bearer challenge without a realm`);
    const c = this.credential;
    const params = new URLSearchParams();
    if (ch.params.service) params.set('service', ch.params.service);
    let res: { status: number; text: string };
    if (c?.kind === 'identity') {
      // OAuth2 refresh-token grant (docker login's identity token).
      params.set('grant_type', 'refresh_token');
      params.set('refresh_token', c.token);
      params.set('client_id', 'longshore');
      if (scopes.length) params.set('scope', scopes.join(' '));
      res = await this.fetchToken(realm, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params.toString() });
    } else {
      for (const s of scopes) params.append('scope', s);
      const headers: Record<string, string> = {};
      if (c?.kind === 'basic') headers.authorization = basicHeader(c.username, c.password);
      res = await this.fetchToken(realm + (realm.includes('?') ? '&' : '?') + params.toString(), { method: 'GET', headers });
    }
    if (res.status === 401 || res.status === 403) {
      throw new UserError(
        'UNAUTHORIZED',
        `${this.registry}: the token server ${new URL(realm).host} refused ${c ? `the credentials from ${c.source}` : 'anonymous access'} (${res.status}) for ${scopes.join(' ') || 'no scope'}`,
        c ? undefined : 'log in with --creds USER:PASSWORD, --creds-file, --authfile or `podman login`',
      );
    }
    if (res.status !== 200) throw new UserError('TOKEN_SERVER', `${this.registry}: token server answered ${res.status}: ${res.text.slice(0, 200)}`);
    let doc: { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    try {
      doc = JSON.parse(res.text);
    } catch {
      throw new UserError('TOKEN_SERVER', `${this.registry}: token server answered something that is not JSON`);
    }
    const token = doc.token || doc.access_token;
    if (!token) throw new UserError('TOKEN_SERVER', `${this.registry}: token server answered without a token`);
    // The spec's default lifetime is 60 s; count from now, not issued_at (clocks differ).
    const ttl = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60;
    return { token, expiresAt: Date.now() + ttl * 1000 };
  }
}
