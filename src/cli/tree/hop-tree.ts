/**
 * Builds each request's tree of hops from `request_chain` alone.
 *
 * A hop is one distinct chain. Its parent is the hop whose chain ends in the
 * element just before its own last one: for `id,a,b` that is the hop ending in
 * `a`, which is `id,a` unless the chain was cut short (tracehop keeps the root
 * and the 9 most recent hops, dropping from the middle), in which case the
 * last-element match still finds it. The root is the hop whose chain is the
 * request id alone, where the id was born; when no line was logged there (an
 * id that came from a client or load balancer), an empty root stands in for
 * it. A job, or any other kind of hop, is just another chain element.
 */
import type { TreeLine } from './log-line';

/** What is kept of a line once its request and hop are known. */
export type KeptLine = Omit<TreeLine, 'requestId' | 'chain'>;

/** One hop's lines, as collected: the chain and the lines that carry exactly that chain. */
export interface HopLines {
  readonly chain: readonly string[];
  readonly lines: readonly KeptLine[];
}

export interface Hop {
  readonly chain: readonly string[];
  /** The service of the hop's first line; undefined for a root no line was logged at. */
  readonly service: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  /** In time order. */
  readonly lines: readonly KeptLine[];
  /** In order of their first line's time. */
  readonly children: readonly Hop[];
}

export interface RequestTree {
  readonly requestId: string;
  readonly root: Hop;
  /** The earliest line's time, for ordering requests. */
  readonly firstTime: number;
}

/** Orders trees earliest request first (the order of their first lines' times; those with none last). */
export function compareTreesByTime(a: RequestTree, b: RequestTree): number {
  return compareTimes(a.firstTime, b.firstTime);
}

interface MutableHop {
  chain: readonly string[];
  service: string | undefined;
  method: string | undefined;
  path: string | undefined;
  lines: KeptLine[];
  children: MutableHop[];
}

/** Builds one request's tree from its lines grouped by chain (each group one hop). */
export function buildRequestTree(requestId: string, groups: readonly HopLines[]): RequestTree {
  const hops: MutableHop[] = groups.map(({ chain, lines }) => {
    const sorted = [...lines].sort(compareLines);
    const withRoute = sorted.find(line => line.method !== undefined || line.path !== undefined);
    return { chain, service: sorted[0].service, method: withRoute?.method, path: withRoute?.path, lines: sorted, children: [] };
  });
  let root = hops.find(hop => hop.chain.length === 1);
  if (root === undefined) {
    root = { chain: [requestId], service: undefined, method: undefined, path: undefined, lines: [], children: [] };
  }
  const byLast = new Map<string, MutableHop>([[requestId, root]]);
  for (const hop of hops) if (hop !== root) byLast.set(hop.chain[hop.chain.length - 1], hop);
  for (const hop of hops) {
    if (hop === root) continue;
    // A parent that logged nothing leaves its children to the nearest ancestor that did, or the root.
    let parent: MutableHop | undefined;
    for (let i = hop.chain.length - 2; i >= 0 && parent === undefined; i--) parent = byLast.get(hop.chain[i]);
    (parent !== undefined && parent !== hop ? parent : root).children.push(hop);
  }
  const firstTime = (hop: MutableHop): number => hop.lines[0]?.time ?? Number.NaN;
  const sortChildren = (hop: MutableHop): void => {
    hop.children.sort((a, b) => compareTimes(firstTime(a), firstTime(b)) || a.lines[0].seq - b.lines[0].seq);
    hop.children.forEach(sortChildren);
  };
  sortChildren(root);
  const times = hops.map(firstTime).filter(time => !Number.isNaN(time));
  return { requestId, root, firstTime: times.length > 0 ? Math.min(...times) : Number.NaN };
}

function compareLines(a: KeptLine, b: KeptLine): number {
  return compareTimes(a.time, b.time) || a.seq - b.seq;
}

/** Lines without a time sort after those with one. */
function compareTimes(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}
