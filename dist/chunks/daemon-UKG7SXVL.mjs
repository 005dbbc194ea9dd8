import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  ARCHIVE_HEAD,
  ImageArchive
} from "./chunk-3VO7PKA4.mjs";
import {
  extraTags
} from "./chunk-ZZT7JNPV.mjs";
import {
  CopyAgain,
  isIndex
} from "./chunk-BWZXFGLC.mjs";
import "./chunk-U7P74N4L.mjs";
import {
  debugEnabled,
  debugLog
} from "./chunk-AO2UATTK.mjs";
import {
  InvalidReferenceError,
  checkTag,
  isDockerHub,
  parseName,
  parseNameTag,
  parseRegistryReference
} from "./chunk-JO7HQLJM.mjs";
import {
  ociArchitecture
} from "./chunk-477LFGEH.mjs";
import {
  sha256
} from "./chunk-AYVEAJJV.mjs";
import {
  count
} from "./chunk-TF6H54TZ.mjs";
import {
  UserError,
  hasCode
} from "./chunk-YSJMHLAX.mjs";
import "./chunk-MKYGQBWT.mjs";

// src/daemon/docker.ts
import { Readable } from "node:stream";

// src/daemon/docker-api.ts
import { PassThrough, pipeline } from "node:stream";

// src/daemon/engine.ts
import { Agent, request as httpRequest } from "node:http";
function parseHost(value, hint) {
  if (value.startsWith("unix://")) return { socketPath: value.slice(7), origin: "http://localhost", display: value, hint };
  if (value.startsWith("/")) return { socketPath: value, origin: "http://localhost", display: `unix://${value}`, hint };
  const m = /^(?:tcp|http):\/\/([^/]+)\/?$/.exec(value);
  if (m) return { origin: `http://${m[1]}`, display: value, hint };
  throw new UserError("INVALID_REFERENCE", `unsupported daemon address ${JSON.stringify(value)}: expected unix:///path/to/socket or tcp://host:port`, hint);
}
function wrap(res, explain) {
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body: res,
    text: async () => {
      const chunks = [];
      try {
        for await (const c of res) chunks.push(c);
      } catch (e) {
        throw explain(e);
      }
      return Buffer.concat(chunks).toString("utf8");
    },
    dump: async () => {
      try {
        for await (const _ of res) void _;
      } catch (e) {
        throw explain(e);
      }
    }
  };
}
var EngineClient = class {
  constructor(endpoint, product) {
    this.endpoint = endpoint;
    this.product = product;
    const u = new URL(endpoint.origin);
    this.host = endpoint.socketPath ? {} : { hostname: u.hostname, port: u.port };
  }
  endpoint;
  product;
  // Keep-alive: ping, inspect and load share one connection where they can.
  agent = new Agent({ keepAlive: true });
  debug = debugEnabled();
  host;
  async close() {
    this.agent.destroy();
  }
  /** A LONGSHORE_DEBUG line about this daemon. */
  note(msg) {
    if (this.debug) debugLog(`${this.product}: ${msg}`);
  }
  /** Turns socket-level failures into messages naming the socket. */
  explain(e) {
    if (e instanceof UserError) return e;
    const code = e?.code;
    const where = this.endpoint.display;
    if (code === "ENOENT" || code === "ECONNREFUSED")
      return new UserError("DAEMON_UNREACHABLE", `cannot connect to ${this.product} at ${where}: ${code === "ENOENT" ? "no socket there" : "connection refused"} (is it running?)`, this.endpoint.hint);
    if (code === "EACCES" || code === "EPERM")
      return new UserError(
        "PERMISSION_DENIED",
        `permission denied connecting to ${this.product} at ${where}`,
        `run as a user allowed to use that socket (e.g. in the "docker" group), or ${this.endpoint.hint}`
      );
    if (code === "ECONNRESET" || code === "EPIPE") return new UserError("DAEMON_CONNECTION_LOST", `${this.product} at ${where} closed the connection: ${e.message}`);
    return e;
  }
  /** Resolves once the reply's headers arrive; no timeouts (a load is answered only after the whole archive). */
  request(method, path, opts = {}) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== void 0) qs.set(k, String(v));
    const target = `${path}${qs.size ? "?" + qs.toString() : ""}`;
    return new Promise((resolve, reject) => {
      const options = {
        ...this.host,
        socketPath: this.endpoint.socketPath,
        agent: this.agent,
        method,
        path: target,
        headers: opts.headers,
        signal: opts.signal,
        // Node's agent would work out a TLS server name for this plain connection, running its IPv6
        // address regex on every request: ~5 ms on the first, ~1.5 ms on each after.
        servername: ""
      };
      const req = httpRequest(options);
      req.on("error", (e) => reject(this.explain(e)));
      req.once("response", (res) => {
        this.note(`${method} ${target} \u2192 ${res.statusCode}`);
        resolve(wrap(res, (e) => this.explain(e)));
      });
      const body = opts.body;
      if (body === void 0 || typeof body === "string" || Buffer.isBuffer(body)) req.end(body);
      else {
        body.once("error", (e) => req.destroy(e));
        body.pipe(req);
      }
    });
  }
  /** GET/POST returning parsed JSON; a non-2xx status is an error carrying the daemon's message. */
  async json(method, path, opts = {}) {
    const r = await this.request(method, path, opts);
    const text = await r.text();
    if (r.status < 200 || r.status >= 300) throw new DaemonHttpError(this.product, method, path, r.status, daemonMessage(text));
    return text ? JSON.parse(text) : void 0;
  }
  /** A request whose reply body is not needed beyond the error message on a non-2xx status. */
  async ok(method, path, opts = {}) {
    const r = await this.request(method, path, opts);
    const text = await r.text();
    if (r.status < 200 || r.status >= 300) throw new DaemonHttpError(this.product, method, path, r.status, daemonMessage(text));
  }
  /** A request whose reply body is not needed; returns the status. */
  async status(method, path, opts = {}) {
    const r = await this.request(method, path, opts);
    await r.dump();
    return r.status;
  }
};
var DaemonHttpError = class extends UserError {
  constructor(product, method, path, statusCode, daemonText) {
    super("DAEMON_HTTP", `${product}: ${method} ${path.replace(/\?.*/, "")} failed (HTTP ${statusCode}): ${daemonText}`);
    this.product = product;
    this.statusCode = statusCode;
    this.daemonText = daemonText;
  }
  product;
  statusCode;
  daemonText;
};
function daemonMessage(text) {
  try {
    const j = JSON.parse(text);
    if (j.message) return j.message;
  } catch {
  }
  return text.trim() || "(empty reply)";
}
async function readNdjson(body, product) {
  const lines = [];
  let rest = "";
  let failure;
  const take = (line) => {
    if (!line.trim()) return;
    let j;
    try {
      j = JSON.parse(line);
    } catch {
      failure ??= `unexpected reply line from ${product}: ${line.slice(0, 200)}`;
      return;
    }
    if (j.errorDetail || j.error) failure ??= j.errorDetail?.message ?? j.error ?? "unknown error";
    const text = j.stream ?? j.status;
    if (text) lines.push(text.trim());
  };
  const utf8 = new TextDecoder();
  for await (const chunk of body) {
    rest += typeof chunk === "string" ? chunk : utf8.decode(chunk, { stream: true });
    let i;
    while ((i = rest.indexOf("\n")) >= 0) {
      take(rest.slice(0, i));
      rest = rest.slice(i + 1);
    }
  }
  take(rest + utf8.decode());
  if (failure !== void 0) throw new UserError("DAEMON_REFUSED", `${product} refused the image: ${failure}`);
  return { lines };
}

// src/daemon/docker-api.ts
var DEFAULT_SOCKET = "unix:///var/run/docker.sock";
var MAX_API = [1, 52];
var MIN_API = [1, 24];
function dockerEndpoint(env = process.env) {
  const host = env.DOCKER_HOST || DEFAULT_SOCKET;
  const hint = env.DOCKER_HOST ? `DOCKER_HOST is ${host}; change it to point at the daemon to use` : `set DOCKER_HOST (e.g. DOCKER_HOST=unix:///path/to/docker.sock) to use another daemon`;
  return parseHost(host, hint);
}
var parseVersion = (v) => v.split(".").map((n) => Number(n));
var cmp = (a, b) => a[0] - b[0] || (a[1] ?? 0) - (b[1] ?? 0);
var EarlyLoadRefused = class extends Error {
  constructor(status, daemonText, archiveSent) {
    super(`the opened load was refused (HTTP ${status}: ${daemonText})`);
    this.status = status;
    this.daemonText = daemonText;
    this.archiveSent = archiveSent;
  }
  status;
  daemonText;
  archiveSent;
};
var DockerApi = class {
  prefix = "";
  client;
  constructor(endpoint) {
    this.client = new EngineClient(endpoint, "the Docker daemon");
  }
  /** GET /_ping; uses min(daemon's API version, ours) for every later call. */
  async negotiate() {
    const r = await this.client.request("GET", "/_ping");
    const text = await r.text();
    if (r.status !== 200) throw new UserError("DAEMON_HTTP", `the Docker daemon at ${this.client.endpoint.display} answered /_ping with HTTP ${r.status}: ${text.trim()}`);
    const header = r.headers["api-version"];
    let v = typeof header === "string" ? parseVersion(header) : MIN_API;
    if (v.some((n) => !Number.isFinite(n))) v = MIN_API;
    if (cmp(v, MAX_API) > 0) v = MAX_API;
    if (cmp(v, MIN_API) < 0) throw new UserError("DAEMON_UNSUPPORTED", `the Docker daemon at ${this.client.endpoint.display} speaks API ${v.join(".")}; longshore needs ${MIN_API.join(".")} or newer`);
    this.prefix = `/v${v.join(".")}`;
    return v.join(".");
  }
  async close() {
    await this.client.close();
  }
  /** Inspects an image by ID or reference; undefined when the daemon does not have it. */
  async inspect(ref) {
    const r = await this.client.request("GET", `${this.prefix}/images/${encodeURIComponent(ref)}/json`);
    if (r.status === 404) {
      await r.dump();
      return void 0;
    }
    const text = await r.text();
    if (r.status !== 200) throw new UserError("DAEMON_HTTP", `the Docker daemon: inspecting ${ref} failed (HTTP ${r.status}): ${text.trim()}`);
    return JSON.parse(text);
  }
  /**
   * GET /info: the containerd image store reports its snapshotter as the storage driver, with
   * DriverStatus [["driver-type", "io.containerd.snapshotter.v1"]] (dockerd 26 with the
   * containerd-snapshotter feature, and later).
   */
  async imageStore() {
    const info = await this.client.json("GET", `${this.prefix}/info`);
    const type = (info.DriverStatus ?? []).find(([k]) => k === "driver-type")?.[1] ?? "";
    return type.startsWith("io.containerd.snapshotter") ? "containerd" : "classic";
  }
  /** GET /info's OSType and Architecture (as `uname -m` spells it: "x86_64", "aarch64"). */
  async platform() {
    const info = await this.client.json("GET", `${this.prefix}/info`);
    return { os: info.OSType || "linux", machine: info.Architecture || "" };
  }
  /** The IDs of the images the daemon lists under a reference ("name:tag"). */
  async listed(ref) {
    const list = await this.client.json("GET", `${this.prefix}/images/json`, { query: { filters: JSON.stringify({ reference: [ref] }) } });
    return list.map((i) => i.Id);
  }
  /** Every image the daemon holds, with its tags. */
  async images() {
    const list = await this.client.json("GET", `${this.prefix}/images/json`, { query: { all: 1 } });
    return list.map((i) => ({ id: i.Id, tags: i.RepoTags ?? [] }));
  }
  /** The layer stacks (RootFS.Layers) of these images; an image removed meanwhile has none. */
  async stacks(ids) {
    return Promise.all(ids.map(async (id) => (await this.inspect(id))?.RootFS?.Layers ?? []));
  }
  /** POST /images/load; the reply is NDJSON, with errors reported in-band. */
  async load(archive, signal) {
    const r = await this.client.request("POST", `${this.prefix}/images/load`, {
      query: { quiet: 1 },
      body: archive,
      headers: { "content-type": "application/x-tar" },
      signal
    });
    return this.loadReply(r);
  }
  /**
   * Opens POST /images/load and sends the archive's first bytes before the rest is decided: dockerd
   * starts its unpacker (a re-exec of itself, ~40 ms of a reload) once a load's first bytes arrive,
   * and that then overlaps our own work. The path carries no version, because this goes out before
   * /_ping answers; the daemon then uses its own, and load is unchanged since API 1.24. Unversioned
   * paths are deprecated: a daemon that refuses one makes send() fail with EarlyLoadRefused.
   */
  beginLoad(head) {
    const ac = new AbortController();
    const body = new PassThrough();
    body.write(head);
    const reply = this.client.request("POST", "/images/load", { query: { quiet: 1 }, body, headers: { "content-type": "application/x-tar" }, signal: ac.signal });
    this.client.note(`POST /images/load?quiet=1 opened with the archive's first ${head.length} bytes`);
    const refusal = async (r, archiveSent) => {
      const e = new EarlyLoadRefused(r.status, daemonMessage(await r.text()), archiveSent);
      this.client.note(e.message);
      ac.abort();
      return e;
    };
    let refused;
    reply.then(
      (r) => void (r.status !== 200 && (refused = r)),
      () => {
      }
      // reported by send(); a cancelled load has no one to report to
    );
    return {
      send: async (rest, signal) => {
        if (refused) throw await refusal(refused, false);
        if (signal?.aborted) ac.abort(signal.reason);
        signal?.addEventListener("abort", () => ac.abort(signal.reason), { once: true });
        pipeline(rest, body, () => {
        });
        const r = await reply;
        if (r.status !== 200) throw await refusal(r, true);
        return this.loadReply(r);
      },
      cancel: () => {
        ac.abort();
        this.client.note("the opened load is cancelled");
      }
    };
  }
  async loadReply(r) {
    if (r.status !== 200) {
      const text = await r.text();
      throw new UserError("DAEMON_REFUSED", `the Docker daemon refused the image (HTTP ${r.status}): ${text.trim()}`);
    }
    let lines;
    try {
      lines = (await readNdjson(r.body, "the Docker daemon")).lines;
    } catch (e) {
      throw this.client.explain(e);
    }
    const unpack = lines.find((l) => /^Error unpacking image\b/.test(l));
    if (unpack) throw new UserError("DAEMON_REFUSED", `the Docker daemon refused the image: ${unpack}`);
    return lines;
  }
  /** POST /images/{id}/tag?repo=&tag= */
  async tag(id, repo, tag) {
    await this.client.ok("POST", `${this.prefix}/images/${encodeURIComponent(id)}/tag`, { query: { repo, tag } });
  }
};

// src/daemon/docker.ts
var DockerBackend = class {
  archiveFormat = "docker";
  namesFromArchive = true;
  label;
  api = new DockerApi(dockerEndpoint());
  /** The load opened early, until load() takes it. */
  early;
  head;
  headSent = false;
  /** GET /info's answer, asked once, when first needed. */
  store;
  constructor() {
    this.label = `the Docker daemon at ${this.api.client.endpoint.display}`;
  }
  /** Opens the early load (with opts.head) and negotiates the API version. */
  async connect(opts) {
    if (opts.head) {
      this.head = opts.head;
      this.early = this.api.beginLoad(opts.head);
      this.headSent = true;
    }
    await this.api.negotiate();
  }
  /**
   * The image store, or undefined when GET /info failed: then the classic rule, whose archives the
   * containerd store takes too (it only leaves out layers it also holds as snapshots).
   */
  imageStore() {
    return this.store ??= this.api.imageStore().then(
      (store) => {
        this.api.client.note(`image store: ${store}`);
        return store;
      },
      (e) => {
        this.api.client.note(`GET /info failed (${e.message}); assuming the classic image store`);
        return void 0;
      }
    );
  }
  /**
   * The classic loader (overlay2 and the other graphdrivers) skips a layer file whose ChainID its
   * layer store holds. The containerd image store takes an OCI layout with blobs missing, and
   * unpacks each layer it lacks a snapshot for from its content store: a blob any image it lists
   * holds can be left out (layers.ts).
   */
  async skipRule() {
    return await this.imageStore() === "containerd" ? "anywhere" : "stack-prefix";
  }
  /**
   * The containerd image store imports an image whose blobs are missing when it need not unpack
   * them (it holds their snapshots, from an image stored with other blobs), and then leaves the
   * image out of its listings (`docker images`), as incomplete. Such an image is listed nowhere.
   */
  async complete(id, ref) {
    if (await this.imageStore() !== "containerd") return true;
    const listed = await this.api.listed(familiarName(ref));
    if (listed.length > 0) return listed.includes(id);
    return (await this.api.images()).some((i) => i.id === id);
  }
  images() {
    return this.api.images();
  }
  stacks(ids) {
    return this.api.stacks(ids);
  }
  /**
   * On the load opened early when there is one; if the daemon refused that request before the
   * archive went out, on the negotiated path, with the head in front. A refusal after the archive
   * went out rejects with EarlyLoadRefused (archiveSent): the archive is spent.
   */
  async load(archive, signal) {
    const early = this.early;
    this.early = void 0;
    if (!early) {
      await this.api.load(archive, signal);
      return;
    }
    try {
      await early.send(archive, signal);
    } catch (e) {
      if (!(e instanceof EarlyLoadRefused) || e.archiveSent) throw e;
      await this.api.load(Readable.from(prepend(this.head, archive)), signal);
    }
  }
  async platform() {
    const { os, machine } = await this.api.platform();
    return { os, ...ociArchitecture(machine) };
  }
  tag(id, name, tag) {
    return this.api.tag(id, name, tag);
  }
  async inspect(ref) {
    const got = await this.api.inspect(ref);
    return got && { id: got.Id, layers: got.RootFS?.Layers ?? [] };
  }
  async close() {
    this.early?.cancel();
    await this.api.close();
  }
};
function familiarName(ref) {
  const colon = ref.lastIndexOf(":");
  const [name, tag] = colon > ref.lastIndexOf("/") ? [ref.slice(0, colon), ref.slice(colon)] : [ref, ""];
  const { host, path } = parseName(name);
  if (host !== void 0 && !isDockerHub(host)) return `${host}/${path}${tag}`;
  return `${/^library\/[^/]+$/.test(path) ? path.slice(8) : path}${tag}`;
}
async function* prepend(head, rest) {
  yield head;
  yield* rest;
}
var connectDocker = async (opts) => {
  const b = new DockerBackend();
  try {
    await b.connect(opts);
  } catch (e) {
    await b.close();
    throw e;
  }
  return b;
};

// src/daemon/layers.ts
function chainIDs(diffIDs) {
  const out = [];
  for (const d of diffIDs) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}
var Skippable = class {
  constructor(ours, rule) {
    this.ours = ours;
    this.rule = rule;
    this.keys = rule === "anywhere" ? [...ours] : chainIDs(ours);
  }
  ours;
  rule;
  held = /* @__PURE__ */ new Set();
  keys;
  add(stack) {
    for (const k of this.rule === "anywhere" ? stack : chainIDs(stack)) this.held.add(k);
  }
  /** The DiffIDs of ours that can be left out. */
  get() {
    if (this.rule === "anywhere") return new Set(this.ours.filter((_, i) => this.held.has(this.keys[i])));
    let n = 0;
    while (n < this.keys.length && this.held.has(this.keys[n])) n++;
    return new Set(this.ours.slice(0, n));
  }
};
var repoOf = (ref) => ref.replace(/:[^:/]*$/, "");
function rank(img, name, ref) {
  let r = 0;
  for (const t of img.tags) {
    const repo = repoOf(t);
    if (repo === name || repo.endsWith("/" + name)) r = Math.max(r, t === ref || t.endsWith("/" + ref) ? 2 : 1);
  }
  return r;
}
var enough = (skip, ours) => skip.size > 0 && skip.size >= ours.length - 1;
async function layersToSkip(ours, rule, target, images, stacks, batch = 8) {
  if (images.length === 0) return /* @__PURE__ */ new Set();
  const ranked = images.map((img) => ({ img, r: rank(img, target.name, target.ref) })).sort((a, b) => b.r - a.r);
  let known = typeof rule === "string" ? rule : void 0;
  const asked = known ? void 0 : rule().then((r) => known = r);
  asked?.catch(() => {
  });
  const found = { "stack-prefix": new Skippable(ours, "stack-prefix"), anywhere: new Skippable(ours, "anywhere") };
  const rules = () => known ? [known] : ["stack-prefix", "anywhere"];
  for (let i = 0; i < ranked.length; i += batch) {
    const got = await stacks(ranked.slice(i, i + batch).map((x) => x.img.id));
    for (const r of rules()) for (const stack of got) found[r].add(stack);
    if (rules().every((r) => enough(found[r].get(), ours))) break;
  }
  if (known) return found[known].get();
  const [byChain, anywhere] = [found["stack-prefix"].get(), found.anywhere.get()];
  if (byChain.size === anywhere.size) return byChain;
  return found[await asked].get();
}

// src/daemon/podman.ts
import { pipeline as pipeline2 } from "node:stream/promises";
var hex = (id) => id.replace(/^sha256:/, "");
var digestId = (id) => `sha256:${hex(id)}`;
var summary = (d) => ({ id: digestId(d.Id), layers: d.RootFS?.Layers ?? [] });
function infoPlatform(d) {
  const arch = ociArchitecture(d.host?.arch ?? "");
  return { os: d.host?.os || "linux", ...arch, ...d.host?.variant ? { variant: d.host.variant } : {} };
}
var PodmanBase = class {
  archiveFormat = "oci";
  async skipRule() {
    return "anywhere";
  }
  /** Its oci-archive reader's naming has changed across versions: the image is tagged after loading. */
  namesFromArchive = false;
  headSent = false;
};
function podmanEndpoint(env = process.env) {
  const hint = "set CONTAINER_HOST=unix:///path/to/podman.sock (start one with `podman system service --time=0 unix:///path/to/podman.sock`)";
  if (env.CONTAINER_HOST) return { endpoint: parseHost(env.CONTAINER_HOST, hint), explicit: true };
  const uid = process.getuid?.() ?? 0;
  const path = uid === 0 ? "/run/podman/podman.sock" : `${env.XDG_RUNTIME_DIR || `/run/user/${uid}`}/podman/podman.sock`;
  return { endpoint: parseHost(`unix://${path}`, hint), explicit: false };
}
var PodmanApi = class _PodmanApi extends PodmanBase {
  constructor(client) {
    super();
    this.client = client;
    this.label = `the Podman service at ${client.endpoint.display}`;
  }
  client;
  label;
  prefix = "/v4.0.0/libpod";
  /** Connects and checks this is Podman (Libpod-API-Version header); throws the connect error otherwise. */
  static async connect(endpoint) {
    const client = new EngineClient(endpoint, "the Podman service");
    try {
      const r = await client.request("GET", "/_ping");
      await r.dump();
      const v = r.headers["libpod-api-version"];
      if (typeof v !== "string") throw new UserError("DAEMON_UNSUPPORTED", `${endpoint.display} is not a Podman service (no Libpod-API-Version in its /_ping reply)`, endpoint.hint);
      const major = Number(v.split(".")[0]);
      if (!(major >= 4)) throw new UserError("DAEMON_UNSUPPORTED", `the Podman service at ${endpoint.display} is version ${v}; longshore needs Podman 4 or newer`);
      const api = new _PodmanApi(client);
      api.prefix = `/v${major}.0.0/libpod`;
      return api;
    } catch (e) {
      await client.close();
      throw e;
    }
  }
  async images() {
    const list = await this.client.json("GET", `${this.prefix}/images/json`, { query: { all: true } });
    return list.map((i) => ({ id: digestId(i.Id), tags: i.RepoTags ?? i.Names ?? [] }));
  }
  async stacks(ids) {
    return Promise.all(ids.map(async (id) => (await this.inspect(id).catch(() => void 0))?.layers ?? []));
  }
  async load(archive, signal) {
    try {
      await this.client.ok("POST", `${this.prefix}/images/load`, { body: archive, headers: { "content-type": "application/x-tar" }, signal });
    } catch (e) {
      if (e instanceof DaemonHttpError) throw new UserError("DAEMON_REFUSED", `${this.label} refused the image (HTTP ${e.statusCode}): ${e.daemonText}`);
      throw e;
    }
  }
  async platform() {
    return infoPlatform(await this.client.json("GET", `${this.prefix}/info`));
  }
  async tag(id, name, tag) {
    await this.client.ok("POST", `${this.prefix}/images/${hex(id)}/tag`, { query: { repo: name, tag } });
  }
  async inspect(ref) {
    const r = await this.client.request("GET", `${this.prefix}/images/${encodeURIComponent(ref)}/json`);
    const text = await r.text();
    if (r.status === 404) return void 0;
    if (r.status !== 200) throw new UserError("DAEMON_HTTP", `${this.label}: inspecting ${ref} failed (HTTP ${r.status}): ${text.trim()}`);
    return summary(JSON.parse(text));
  }
  async close() {
    await this.client.close();
  }
};
function storageArgs(s) {
  if (!s) return [];
  return [
    ...s.driver ? ["--storage-driver", s.driver] : [],
    ...s.root ? ["--root", s.root] : [],
    ...s.runroot ? ["--runroot", s.runroot] : [],
    ...(s.options ?? []).flatMap((o) => ["--storage-opt", o])
  ];
}
var PodmanCli = class extends PodmanBase {
  constructor(bin = process.env.LONGSHORE_PODMAN || "podman", local = void 0) {
    super();
    this.bin = bin;
    this.local = local;
    this.global = storageArgs(local?.storage);
    this.label = this.global.length ? `the podman CLI (${this.global.join(" ")})` : "the podman CLI";
  }
  bin;
  local;
  label;
  global;
  async run(args, opts = {}) {
    try {
      const env = { ...process.env };
      if (!env.CONTAINER_HOST || this.local) delete env.CONTAINER_HOST;
      if (this.local) delete env.CONTAINER_CONNECTION;
      const { execa } = await import("./execa-HSBUCW62.mjs");
      const sub = execa(this.bin, [...this.global, ...args], { reject: false, stdin: opts.stdin ? "pipe" : "ignore", cancelSignal: opts.signal, all: true, env, extendEnv: false });
      if (opts.stdin) {
        pipeline2(opts.stdin, sub.stdin).catch(() => void 0);
      }
      return await sub;
    } catch (e) {
      throw new UserError("DAEMON_UNREACHABLE", `cannot run ${this.bin}: ${e.message}`);
    }
  }
  fail(what, r, code = "DAEMON_COMMAND_FAILED") {
    if (r.code === "ENOENT")
      throw this.local ? new UserError("DAEMON_UNREACHABLE", `${what}: podman is not installed (no "${this.bin}" on PATH); containers-storage: writes Podman's storage through it`, "install podman") : new UserError("DAEMON_UNREACHABLE", `${what}: podman is not installed (no "${this.bin}" on PATH), and no Podman service socket answered`, "install podman, or set CONTAINER_HOST to a Podman API socket");
    throw new UserError(code, `${what}: podman failed (exit ${r.exitCode ?? "?"}): ${(r.all ?? r.shortMessage ?? "").trim().split("\n").slice(-5).join("; ")}`);
  }
  async images() {
    const r = await this.run(["images", "--all", "--format", "json"]);
    if (r.failed) this.fail("podman images", r);
    const list = JSON.parse(r.stdout || "[]");
    return list.map((i) => ({ id: digestId(i.Id), tags: i.Names ?? [] }));
  }
  async stacks(ids) {
    if (ids.length === 0) return [];
    const r = await this.run(["image", "inspect", "--format", "json", ...ids]);
    if (r.failed) return ids.map(() => []);
    return JSON.parse(r.stdout).map((d) => summary(d).layers);
  }
  async load(archive, signal) {
    const r = await this.run(["load"], { stdin: archive, signal });
    if (signal.aborted) throw signal.reason ?? new UserError("DAEMON_REFUSED", "podman load aborted");
    if (r.failed) this.fail("podman load", r, "DAEMON_REFUSED");
  }
  async platform() {
    const r = await this.run(["info", "--format", "json"]);
    if (r.failed) this.fail("podman info", r);
    return infoPlatform(JSON.parse(r.stdout));
  }
  async tag(id, name, tag) {
    const r = await this.run(["tag", hex(id), `${name}:${tag}`]);
    if (r.failed) this.fail("podman tag", r);
  }
  async inspect(ref) {
    const r = await this.run(["image", "inspect", "--format", "json", ref]);
    return r.failed ? void 0 : summary(JSON.parse(r.stdout)[0]);
  }
  async close() {
  }
};
var connectPodman = async (_opts, onInfo) => {
  const { endpoint, explicit } = podmanEndpoint();
  try {
    return await PodmanApi.connect(endpoint);
  } catch (e) {
    if (explicit || !hasCode(e, "DAEMON_UNREACHABLE")) throw e;
    onInfo(`no Podman service at ${endpoint.display}; using the podman CLI`);
    return new PodmanCli();
  }
};
var connectContainersStorage = (storage) => async () => new PodmanCli(void 0, { storage });

// src/dest/daemon.ts
var DaemonDestination = class {
  constructor(transport, name, tag, connect, flags = {}, normalise = (n) => n) {
    this.transport = transport;
    this.name = name;
    this.tag = tag;
    this.connect = connect;
    this.flags = flags;
    this.normalise = normalise;
    this.description = `${transport}:${name}${tag ? ":" + tag : ""}`;
  }
  transport;
  name;
  tag;
  connect;
  flags;
  normalise;
  capabilities = {
    reuse: "inventory",
    serial: true,
    putAction: "uploaded",
    configBeside: false,
    // They unpack every layer anyway: compressing would only cost time, unless asked for.
    compressions: ["none", "gzip"],
    defaultCompression: "none",
    followsImageCompression: false,
    needsSizeFirst: true,
    // Of an index it takes the image for its own platform.
    index: "one"
  };
  description;
  backend;
  /** NAME:TAG as loaded, once open() knows the name and tag. */
  ref = "";
  loadName = "";
  loadTag = "";
  /** The ID the daemon holds this exact image under, when it does. */
  held;
  omit = /* @__PURE__ */ new Set();
  archive;
  loading;
  abort = new AbortController();
  /** The daemon refused a load opened early after reading the archive: later tries go the plain way. */
  noEarlyLoad = false;
  /** The daemon's own platform, asked on a connection of its own (a load is not opened for it). */
  async platform(ctx) {
    const backend = await this.connect({}, (m) => ctx.progress.info(m));
    try {
      return await backend.platform();
    } finally {
      await backend.close();
    }
  }
  async open(target, opts) {
    if (isIndex(target)) throw new Error(`${this.description} takes one image of an index, not the index`);
    const image = target;
    if (!this.name && !image.name) throw new InvalidReferenceError(`${this.description}: the image has no name; give one, as in ${this.transport}:NAME:TAG`);
    this.loadName = this.normalise(this.name || image.name);
    this.loadTag = this.tag ?? image.tag ?? "latest";
    this.ref = `${this.loadName}:${this.loadTag}`;
    const backend = this.backend = await this.connect({ head: this.noEarlyLoad ? void 0 : ARCHIVE_HEAD }, (m) => opts.progress.info(m));
    const images = await backend.images();
    this.held = images.find((i) => i.id === image.config.digest || i.id === image.manifest.digest)?.id;
    if (this.held) return { present: "image already loaded" };
    this.omit = opts.reuse ? await layersToSkip(image.layers.map((l) => l.diffID), () => backend.skipRule(), { name: this.loadName, ref: this.ref }, images, (ids) => backend.stacks(ids)) : /* @__PURE__ */ new Set();
    const archive = this.archive = new ImageArchive(backend.archiveFormat, { headSent: backend.headSent });
    this.abort = new AbortController();
    this.loading = backend.load(archive.stream, this.abort.signal);
    this.loading.catch(() => {
    });
    archive.attach(this.loading);
    return {};
  }
  async tryReuseBlob(blob) {
    return blob.diffID && this.omit.has(blob.diffID) ? { action: "skipped", detail: "daemon has it" } : void 0;
  }
  async putBlob(blob) {
    const held = { digest: blob.digest, size: blob.size };
    await this.archive.putBlob(held.digest, held.size, blob.open());
    return held;
  }
  async commit(image, manifest) {
    const backend = this.backend;
    if (this.archive) {
      const names = { repoTags: [this.ref], refNames: [this.loadTag] };
      try {
        await this.archive.finish(image, manifest, names);
        await this.loading;
      } catch (e) {
        throw this.retryable(e) ?? e;
      }
    }
    if (this.held || !backend.namesFromArchive) await backend.tag(this.held ?? image.config.digest, this.loadName, this.loadTag);
    const got = await backend.inspect(this.ref);
    if (!got) throw new UserError("DAEMON_VERIFY_FAILED", `${backend.label} reported success but has no image ${this.ref}`);
    if (got.id !== image.config.digest && got.id !== image.manifest.digest)
      throw new UserError("DAEMON_VERIFY_FAILED", `${backend.label} holds ${got.id} as ${this.ref}, expected ${image.config.digest} (or, in a containerd image store, ${image.manifest.digest})`);
    if (this.archive && this.omit.size > 0 && backend.complete && !await backend.complete(got.id, this.ref))
      throw new CopyAgain(`${backend.label} loaded ${this.ref} without the content of the ${count(this.omit.size, "layer")} left out (its image store does not list it); sending every layer`, false);
    const more = extraTags(this.flags, this.loadTag, (t) => checkTag(t, `--tag ${t}`));
    for (const t of more) await backend.tag(got.id, this.loadName, t);
    return { reference: this.ref, ...more.length ? { references: [this.ref, ...more.map((t) => `${this.loadName}:${t}`)] } : {}, imageId: got.id };
  }
  /** A load worth doing again: refused without the layers the daemon was thought to hold, or refused on its early path. */
  retryable(e) {
    const label = this.backend.label;
    if (e instanceof EarlyLoadRefused) {
      this.noEarlyLoad = true;
      return new CopyAgain(`${label}: ${e.message}; loading again on the negotiated API path`, true);
    }
    if (this.omit.size > 0 && hasCode(e, "DAEMON_REFUSED"))
      return new CopyAgain(`${label} refused the archive without the ${count(this.omit.size, "layer")} it has (${e.message}); sending every layer`, false);
    return void 0;
  }
  async close(failure) {
    if (failure !== void 0) {
      this.archive?.abort(failure);
      this.abort.abort(failure);
    }
    this.archive = void 0;
    this.loading = void 0;
    await this.backend?.close();
    this.backend = void 0;
  }
};
var parseDockerDaemonDestination = (rest, flags) => {
  const { name, tag } = parseNameTag(rest, "docker-daemon");
  for (const t of flags.tags ?? []) checkTag(t, `--tag ${t}`);
  return new DaemonDestination("docker-daemon", name, tag, connectDocker, flags);
};
var parsePodmanDestination = (rest, flags) => {
  const { name, tag } = parseNameTag(rest, "podman");
  for (const t of flags.tags ?? []) checkTag(t, `--tag ${t}`);
  return new DaemonDestination("podman", name, tag, connectPodman, flags);
};
function parseStorageSpec(spec, context) {
  const at = spec.indexOf("@");
  const driver = at >= 0 ? spec.slice(0, at) : void 0;
  let rest = at >= 0 ? spec.slice(at + 1) : spec;
  if (driver === "" || !rest) throw new InvalidReferenceError(`${context}: the store "[${spec}]" is not [DRIVER@ROOT+RUNROOT:OPTIONS]`);
  const colon = rest.indexOf(":");
  const options = colon >= 0 ? rest.slice(colon + 1).split(",").filter(Boolean) : [];
  if (colon >= 0) rest = rest.slice(0, colon);
  const [root, runroot] = rest.split("+", 2);
  for (const p of [root, runroot]) if (p && !p.startsWith("/")) throw new InvalidReferenceError(`${context}: the store path ${JSON.stringify(p)} is not absolute`);
  return { ...driver ? { driver } : {}, ...root ? { root } : {}, ...runroot ? { runroot } : {}, ...options.length ? { options } : {} };
}
var parseContainersStorageDestination = (rest, flags) => {
  const context = `containers-storage:${rest}`;
  let storage;
  let ref = rest;
  const store = /^\[([^\]]*)\]/.exec(ref);
  if (store && (store[1].startsWith("/") || store[1].includes("@"))) {
    storage = parseStorageSpec(store[1], context);
    ref = ref.slice(store[0].length);
  } else if (/^\[[^\]]*$/.test(ref) && (ref.startsWith("[/") || ref.includes("@"))) {
    throw new InvalidReferenceError(`${context}: "[" without "]" around the store`);
  }
  if (ref.startsWith("@")) throw new InvalidReferenceError(`${context}: an image ID names an image already stored; as a destination give NAME[:TAG]`);
  const normalise = (name2) => {
    const r = parseRegistryReference(name2, context);
    return `${r.registry}/${r.repository}`;
  };
  const { name, tag } = ref ? parseNameTag(ref, "containers-storage", context) : { name: "", tag: void 0 };
  for (const t of flags.tags ?? []) checkTag(t, `--tag ${t}`);
  return new DaemonDestination("containers-storage", name, tag, connectContainersStorage(storage), flags, normalise);
};
export {
  DaemonDestination,
  parseContainersStorageDestination,
  parseDockerDaemonDestination,
  parsePodmanDestination
};
