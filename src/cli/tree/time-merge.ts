/**
 * Merges several inputs by time, as a k-way merge: each input is read in its
 * own order and the earliest of their next items goes first. `tracehop tree`
 * reads one log per service; merged, the lines of a request that crossed three
 * services arrive close together, so it is printed and let go early instead
 * of waiting for the last file. Items without a time go at once. No I/O of
 * its own: the inputs read.
 */

/** An input read item by item: `take()` gives the next item already read, `fill()` reads more (false at the end). */
export interface PullSource<T> {
  take(): T | undefined;
  fill(): Promise<boolean>;
}

/** Hands every item of every source to `visit`, earliest first (ties: the source listed first). */
export async function mergeByTime<T>(sources: readonly PullSource<T>[], timeOf: (item: T) => number, visit: (item: T) => void): Promise<void> {
  const heads: { source: PullSource<T>; item: T; time: number }[] = [];
  for (const source of sources) {
    const item = await pull(source);
    if (item !== undefined) heads.push({ source, item, time: sortTime(timeOf(item)) });
  }
  while (heads.length > 0) {
    let first = 0;
    // A linear scan: a handful of files, one per service; a heap would only pay off for dozens.
    for (let i = 1; i < heads.length; i++) if (heads[i].time < heads[first].time) first = i;
    const head = heads[first];
    visit(head.item);
    const next = head.source.take() ?? (await pull(head.source));
    if (next === undefined) heads.splice(first, 1);
    else {
      head.item = next;
      head.time = sortTime(timeOf(next));
    }
  }
}

async function pull<T>(source: PullSource<T>): Promise<T | undefined> {
  for (;;) {
    const item = source.take();
    if (item !== undefined) return item;
    if (!(await source.fill())) return undefined;
  }
}

function sortTime(time: number): number {
  return Number.isNaN(time) ? -Infinity : time;
}
