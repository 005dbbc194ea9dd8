import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  UserError
} from "./chunk-YSJMHLAX.mjs";

// src/image/platform.ts
var platformString = (p) => `${p.os}/${p.architecture}${p.variant ? "/" + p.variant : ""}`;
var normalVariant = (arch, v) => v === void 0 && arch === "arm64" ? "v8" : v;
function platformMatches(want, have) {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  return !want.variant || normalVariant(want.architecture, want.variant) === normalVariant(have.architecture, have.variant);
}
var samePlatform = (a, b) => a.os === b.os && a.architecture === b.architecture && normalVariant(a.architecture, a.variant) === normalVariant(b.architecture, b.variant);
function parsePlatform(s, what = "--platform") {
  const parts = s.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/.test(p)))
    throw new UserError("USAGE", `${what} ${JSON.stringify(s)}: expected OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8`);
  return { os: parts[0], architecture: parts[1], ...parts[2] ? { variant: parts[2] } : {} };
}
function ociArchitecture(machine) {
  switch (machine) {
    case "x86_64":
    case "x64":
    case "amd64":
      return { architecture: "amd64" };
    case "aarch64":
    case "arm64":
      return { architecture: "arm64" };
    case "armv7l":
    case "armv7":
      return { architecture: "arm", variant: "v7" };
    case "armv6l":
      return { architecture: "arm", variant: "v6" };
    case "i386":
    case "i686":
    case "ia32":
    case "x86":
    case "386":
      return { architecture: "386" };
    case "ppc64le":
    case "ppc64":
      return { architecture: "ppc64le" };
    default:
      return { architecture: machine };
  }
}
function hostPlatform() {
  return { os: process.platform === "win32" ? "windows" : process.platform, ...ociArchitecture(process.arch) };
}
function choosePlatformEntry(entries, want, what, hint) {
  const found = entries.find((e) => e.platform && platformMatches(want, e.platform));
  if (found) return found;
  const have = entries.map((e) => e.platform ? platformString(e.platform) : "(no platform)");
  throw new UserError("PLATFORM_MISMATCH", `${what} has no image for ${platformString(want)}; it has ${have.join(", ") || "no images"}`, hint);
}

export {
  platformString,
  platformMatches,
  samePlatform,
  parsePlatform,
  ociArchitecture,
  hostPlatform,
  choosePlatformEntry
};
