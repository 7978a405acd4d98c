/**
 * Route templates under nested mounts, joined once per distinct chain of
 * patterns rather than once per request. Express's routers (4 and 5) route
 * a request through a persistent stack of mounts (innermost first, see
 * express.ts and express-router-channel.ts); an app routes every request
 * through the same few chains of patterns, so each chain's joined template
 * is kept in a trie keyed by the patterns, outermost first. Looking one up
 * allocates nothing; joining (an array, a regular expression, strings) is
 * done the first time a chain is seen.
 */
import { joinRouteTemplates } from './route-template';

/** A mount a request entered, and the mount it entered it from. */
export interface MountChain {
  readonly template: unknown;
  readonly outer: MountChain | undefined;
}

interface TrieNode {
  /** The joined template of the patterns on the way here; undefined until first asked. */
  joined?: string | null;
  children?: Map<unknown, TrieNode>;
}

/**
 * Past this many remembered patterns (an app that makes routers, with new
 * paths, per request), templates are joined each time instead, so memory
 * stays bounded. An app's own routes and mounts are far fewer.
 */
const MAX_NODES = 10_000;

/** Joined route templates, remembered by the chain of patterns that gives them. */
export class MountTemplates {
  private readonly root: TrieNode = {};
  private nodes = 0;

  /** The template of `last` (a route's pattern) under `mounts`, as joinRouteTemplates gives it: `null` when a part is not a string. */
  join(mounts: MountChain | undefined, last: unknown): string | null {
    const node = this.nodeOf(mounts);
    const leaf = node === undefined ? undefined : this.child(node, last);
    if (leaf === undefined) return joinRouteTemplates(templatesOf(mounts, last));
    if (leaf.joined === undefined) leaf.joined = joinRouteTemplates(templatesOf(mounts, last));
    return leaf.joined;
  }

  private nodeOf(mounts: MountChain | undefined): TrieNode | undefined {
    if (mounts === undefined) return this.root;
    const outer = this.nodeOf(mounts.outer);
    return outer === undefined ? undefined : this.child(outer, mounts.template);
  }

  private child(node: TrieNode, part: unknown): TrieNode | undefined {
    let child = node.children?.get(part);
    if (child !== undefined || this.nodes >= MAX_NODES) return child;
    child = {};
    (node.children ??= new Map()).set(part, child);
    this.nodes++;
    return child;
  }
}

/** The patterns from the outermost mount down to `last`. */
function templatesOf(mounts: MountChain | undefined, last: unknown): unknown[] {
  const templates = [last];
  for (let mount = mounts; mount !== undefined; mount = mount.outer) templates.unshift(mount.template);
  return templates;
}
