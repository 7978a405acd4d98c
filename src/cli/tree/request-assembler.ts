/**
 * Knows when a request's tree can be printed. `tracehop tree` reads its input
 * twice: pass 1 counts each request's lines (`count`), keeping nothing else;
 * pass 2 hands every line over again (`add`), and the request's lines are held
 * only until the last counted one arrives, when its tree is built and
 * returned and its lines are let go. Memory is one number per request not yet
 * printed, plus the lines of the requests in flight: for logs in time order,
 * the requests that were running at the same time, whatever the file's
 * length. Input out of order holds more lines in flight, never a wrong tree.
 * Pure: no I/O.
 */
import { buildRequestTree, compareTreesByTime } from './hop-tree';
import type { RequestTree } from './hop-tree';
import type { TreeLine } from './log-line';
import { RequestLines } from './request-lines';

export class RequestAssembler {
  /** Pass 1's counts, each removed when its request starts arriving in pass 2. */
  private readonly expected = new Map<string, number>();
  private readonly inFlight = new Map<string, { remaining: number; lines: RequestLines }>();
  private held = 0;
  private mostHeld = 0;
  private requests = 0;

  /** Pass 1: one more line of this request. */
  count(requestId: string): void {
    const known = this.expected.get(requestId);
    if (known !== undefined) this.expected.set(requestId, known + 1);
    // A request's first line: its id is kept as a copy of its own, since the text it was cut from may hold a whole read chunk.
    else this.expected.set(Buffer.from(requestId, 'utf8').toString('utf8'), 1);
  }

  /** Requests whose lines arrived in pass 2. */
  get requestCount(): number {
    return this.requests;
  }

  /** The most lines held at once in pass 2: the measure of how far lines were apart from the rest of their request. */
  get peakHeldLines(): number {
    return this.mostHeld;
  }

  /**
   * Pass 2: one line. Returns the request's tree when this was its last
   * counted line. A request pass 1 did not count (the input changed between
   * the passes) is held to the end, so no line is lost.
   */
  add(line: TreeLine): RequestTree | undefined {
    let pending = this.inFlight.get(line.requestId);
    if (pending === undefined) {
      const expected = this.expected.get(line.requestId);
      this.expected.delete(line.requestId);
      pending = { remaining: expected ?? Infinity, lines: new RequestLines() };
      this.inFlight.set(line.requestId, pending);
      this.requests++;
    }
    pending.lines.add(line);
    pending.remaining--;
    if (++this.held > this.mostHeld) this.mostHeld = this.held;
    if (pending.remaining > 0) return undefined;
    this.inFlight.delete(line.requestId);
    this.held -= pending.lines.size;
    return buildRequestTree(line.requestId, pending.lines.groups());
  }

  /**
   * The requests still held at the end: some of their counted lines never
   * came (the input changed between the passes, or pass 1 counted a line
   * that proved not to be JSON), earliest first, each with the lines that
   * did; they are let go too.
   */
  unfinished(): RequestTree[] {
    const trees = [...this.inFlight].map(([requestId, { lines }]) => buildRequestTree(requestId, lines.groups()));
    this.inFlight.clear();
    this.expected.clear();
    this.held = 0;
    return trees.sort(compareTreesByTime);
  }
}
