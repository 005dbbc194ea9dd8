// Platforms (OCI image-spec's os / architecture / variant): how they are written, compared and
// chosen from an index. One place for the rules that `lock`, an image index's children and the
// daemons' own platforms share.
import { UserError } from '../util/errors.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** "linux/arm64/v8" */
export const platformString = (p: Platform): string => `${p.os}/${p.architecture}${p.variant ? '/' + p.variant : ''}`;

/** arm64 images often omit the "v8" variant: it is arm64's default. */
const normalVariant = (arch: string, v: string | undefined): string | undefined => (v === undefined && arch === 'arm64' ? 'v8' : v);

/** `want` matches `have`: the same os and architecture, and the variant when `want` names one. */
export function platformMatches(want: Platform, have: Platform): boolean {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  return !want.variant || normalVariant(want.architecture, want.variant) === normalVariant(have.architecture, have.variant);
}

/** The same platform, as two children of one index must not be ("arm64" and "arm64/v8" are one). */
export const samePlatform = (a: Platform, b: Platform): boolean =>
  a.os === b.os && a.architecture === b.architecture && normalVariant(a.architecture, a.variant) === normalVariant(b.architecture, b.variant);

/** "os/arch[/variant]", as --platform takes it. */
export function parsePlatform(s: string, what = '--platform'): Platform {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/.test(p)))
    throw new UserError('USAGE', `${what} ${JSON.stringify(s)}: expected OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8`);
  return { os: parts[0], architecture: parts[1], ...(parts[2] ? { variant: parts[2] } : {}) };
}

/**
 * An architecture as `uname -m` (or Go's runtime, or Node's process.arch) spells it, as OCI does:
 * Docker's /info reports "x86_64" and "aarch64".
 */
export function ociArchitecture(machine: string): { architecture: string; variant?: string } {
  switch (machine) {
    case 'x86_64':
    case 'x64':
    case 'amd64':
      return { architecture: 'amd64' };
    case 'aarch64':
    case 'arm64':
      return { architecture: 'arm64' };
    case 'armv7l':
    case 'armv7':
      return { architecture: 'arm', variant: 'v7' };
    case 'armv6l':
      return { architecture: 'arm', variant: 'v6' };
    case 'i386':
    case 'i686':
    case 'ia32':
    case 'x86':
    case '386':
      return { architecture: '386' };
    case 'ppc64le':
    case 'ppc64':
      return { architecture: 'ppc64le' };
    default:
      return { architecture: machine };
  }
}

/** This machine's platform (a docker-archive's default, where no daemon is asked). */
export function hostPlatform(): Platform {
  return { os: process.platform === 'win32' ? 'windows' : process.platform, ...ociArchitecture(process.arch) };
}

/**
 * The entry of `entries` for `want`: the first that matches (an index lists its preferred variant
 * first). None is a PLATFORM_MISMATCH naming the platforms there are.
 */
export function choosePlatformEntry<T extends { platform?: Platform }>(entries: readonly T[], want: Platform, what: string, hint?: string): T {
  const found = entries.find((e) => e.platform && platformMatches(want, e.platform));
  if (found) return found;
  const have = entries.map((e) => (e.platform ? platformString(e.platform) : '(no platform)'));
  throw new UserError('PLATFORM_MISMATCH', `${what} has no image for ${platformString(want)}; it has ${have.join(', ') || 'no images'}`, hint);
}
