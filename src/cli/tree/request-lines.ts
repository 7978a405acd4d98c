/**
 * One request's lines as they arrive, grouped by hop (one group per distinct
 * chain), ready for buildRequestTree. Pure: no I/O.
 */
import type { HopLines, KeptLine } from './hop-tree';
import type { TreeLine } from './log-line';

export class RequestLines {
  private readonly hops = new Map<string, { chain: readonly string[]; lines: KeptLine[] }>();
  private count = 0;

  /** Keeps the line itself: a request's lines are few and held briefly, a copy per line would only cost time. */
  add(line: TreeLine): void {
    const kept: KeptLine = line;
    const key = line.chain.join(',');
    const hop = this.hops.get(key);
    if (hop === undefined) this.hops.set(key, { chain: line.chain, lines: [kept] });
    else hop.lines.push(kept);
    this.count++;
  }

  /** Lines added so far. */
  get size(): number {
    return this.count;
  }

  groups(): HopLines[] {
    return [...this.hops.values()];
  }
}
