// What a daemon already holds, in the terms each loader skips by.
import { sha256 } from '../util/digest.js';

/** ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln)) (OCI image spec). */
export function chainIDs(diffIDs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIDs) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}

/**
 * How a loader decides it may skip a layer file:
 * - stack-prefix (Docker's classic graphdriver loader): it has the ChainID of the stack up to that
 *   layer, so only the longest bottom run of our stack held in some image can be left out;
 * - anywhere (Podman; Docker's containerd image store): it has a layer with that DiffID, wherever it
 *   sits. Podman's storage reuses a layer by its uncompressed digest. The containerd store keeps
 *   every layer blob of each image it lists in its content store and unpacks a layer it lacks a
 *   snapshot for from there, so a blob left out of the archive need only be held by some image;
 *   a longshore layer's blob digest is its DiffID (or, for a base image's layer, the registry's
 *   digest, which is what a daemon that pulled that layer holds too).
 */
export type SkipRule = 'stack-prefix' | 'anywhere';

/**
 * What a loader can skip of `ours`, learnt one image stack (RootFS.Layers) at a time: each stack is
 * hashed once however many batches follow.
 */
class Skippable {
  private readonly held = new Set<string>();
  private readonly keys: string[];
  constructor(
    private readonly ours: readonly string[],
    private readonly rule: SkipRule,
  ) {
    this.keys = rule === 'anywhere' ? [...ours] : chainIDs(ours);
  }

  add(stack: readonly string[]): void {
    for (const k of this.rule === 'anywhere' ? stack : chainIDs(stack)) this.held.add(k);
  }

  /** The DiffIDs of ours that can be left out. */
  get(): Set<string> {
    if (this.rule === 'anywhere') return new Set(this.ours.filter((_, i) => this.held.has(this.keys[i])));
    let n = 0;
    while (n < this.keys.length && this.held.has(this.keys[n])) n++;
    return new Set(this.ours.slice(0, n));
  }
}

/** The DiffIDs of `ours` the loader can skip, given the layer stacks (RootFS.Layers) of images it holds. */
export function skippable(ours: readonly string[], stacks: readonly (readonly string[])[], rule: SkipRule): Set<string> {
  const s = new Skippable(ours, rule);
  for (const stack of stacks) s.add(stack);
  return s.get();
}

/** An image as the daemon lists it. */
export interface ListedImage {
  id: string;
  /** "name:tag" references; Podman writes "localhost/name:tag" for local names. */
  tags: readonly string[];
}

const repoOf = (ref: string): string => ref.replace(/:[^:/]*$/, '');

/** Images named like ours first (the tag being replaced before its siblings), then the rest. */
function rank(img: ListedImage, name: string, ref: string): number {
  let r = 0;
  for (const t of img.tags) {
    const repo = repoOf(t);
    if (repo === name || repo.endsWith('/' + name)) r = Math.max(r, t === ref || t.endsWith('/' + ref) ? 2 : 1);
  }
  return r;
}

/** Enough found: at most our top layer is left to send. */
const enough = (skip: Set<string>, ours: readonly string[]): boolean => skip.size > 0 && skip.size >= ours.length - 1;

/**
 * The layers a daemon can skip. Inspecting an image costs a request, and a daemon used for
 * development holds hundreds, so images are inspected in batches, those named like ours first (in
 * the edit/load loop, earlier builds of this image), and the search stops once at most our top
 * layer is left to send. Only a daemon holding little of ours is inspected in full.
 *
 * The rule may cost a request of its own (Docker's image store, from GET /info, which took longer
 * than the listing and a batch of inspections together): it is asked for only when the daemon holds
 * some image, beside the inspections, and awaited only if the two rules disagree. They agree in the
 * edit/load loop, where an earlier build holds our stack up to the changed top layer.
 */
export async function layersToSkip(
  ours: readonly string[],
  rule: SkipRule | (() => Promise<SkipRule>),
  target: { name: string; ref: string },
  images: readonly ListedImage[],
  stacks: (ids: string[]) => Promise<(readonly string[])[]>,
  batch = 8,
): Promise<Set<string>> {
  if (images.length === 0) return new Set();
  const ranked = images.map((img) => ({ img, r: rank(img, target.name, target.ref) })).sort((a, b) => b.r - a.r);
  let known: SkipRule | undefined = typeof rule === 'string' ? rule : undefined;
  const asked = known ? undefined : (rule as () => Promise<SkipRule>)().then((r) => (known = r));
  asked?.catch(() => {}); // awaited below when it matters
  const found = { 'stack-prefix': new Skippable(ours, 'stack-prefix'), anywhere: new Skippable(ours, 'anywhere') };
  const rules = (): SkipRule[] => (known ? [known] : ['stack-prefix', 'anywhere']);
  for (let i = 0; i < ranked.length; i += batch) {
    const got = await stacks(ranked.slice(i, i + batch).map((x) => x.img.id));
    for (const r of rules()) for (const stack of got) found[r].add(stack);
    if (rules().every((r) => enough(found[r].get(), ours))) break;
  }
  if (known) return found[known].get();
  const [byChain, anywhere] = [found['stack-prefix'].get(), found.anywhere.get()];
  if (byChain.size === anywhere.size) return byChain; // stack-prefix's set is always within anywhere's
  return found[await asked!].get();
}
