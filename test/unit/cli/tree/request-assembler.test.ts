import { DEFAULT_LOG_FIELDS } from '../../../../src/config';
import { parseLogLine, RequestAssembler } from '../../../../src/cli/tree';
import type { RequestTree, TreeLine } from '../../../../src/cli/tree';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
let seq = 0;

function line(requestId: string, chain: string, time: number, msg: string): TreeLine {
  const result = parseLogLine(JSON.stringify({ request_id: requestId, request_chain: chain, time, msg }), DEFAULT_LOG_FIELDS, 'svc', seq++);
  if (result.kind !== 'line') throw new Error(result.kind);
  return result.line;
}

/** Pass 1 over `lines`, then pass 2 over them in `order`: which request each line completed, in that order. */
function assemble(
  lines: TreeLine[],
  order: number[] = lines.map((_, i) => i),
): { completed: (string | undefined)[]; assembler: RequestAssembler; trees: RequestTree[] } {
  const assembler = new RequestAssembler();
  for (const l of lines) assembler.count(l.requestId);
  const trees: RequestTree[] = [];
  const completed = order.map(i => {
    const tree = assembler.add(lines[i]);
    if (tree !== undefined) trees.push(tree);
    return tree?.requestId;
  });
  return { completed, assembler, trees };
}

describe('RequestAssembler', () => {
  // Two requests whose lines interleave, as concurrent requests log.
  const lines = [
    line(A, A, 1, 'a received'),
    line(B, B, 2, 'b received'),
    line(A, `${A},h1`, 3, 'a hop'),
    line(B, `${B},h2`, 4, 'b hop'),
    line(B, B, 5, 'b answered'),
    line(A, A, 6, 'a answered'),
  ];

  test("a tree comes with its request's last counted line, in order of completion, and its lines are let go", () => {
    const { completed, assembler, trees } = assemble(lines);
    expect(completed).toEqual([undefined, undefined, undefined, undefined, B, A]);
    expect(trees.map(tree => tree.root.lines.map(l => l.msg))).toEqual([
      ['b received', 'b answered'],
      ['a received', 'a answered'],
    ]);
    expect(trees[1].root.children.map(hop => hop.chain.join(','))).toEqual([`${A},h1`]);
    // Held at most: all five lines before B's last, when B's three and A's two were in flight.
    expect(assembler.peakHeldLines).toBe(5);
    expect(assembler.requestCount).toBe(2);
    expect(assembler.unfinished()).toEqual([]);
  });

  test("requests one after the other: each is printed before the next begins, so only one request's lines are held", () => {
    const { completed, assembler } = assemble(lines, [0, 2, 5, 1, 3, 4]);
    expect(completed).toEqual([undefined, undefined, A, undefined, undefined, B]);
    expect(assembler.peakHeldLines).toBe(3);
  });

  test('lines in reverse order still give whole trees, lines in time order', () => {
    const { completed, trees } = assemble(lines, [5, 4, 3, 2, 1, 0]);
    expect(completed).toEqual([undefined, undefined, undefined, undefined, B, A]);
    expect(trees.map(tree => tree.root.lines.map(l => l.msg))).toEqual([
      ['b received', 'b answered'],
      ['a received', 'a answered'],
    ]);
  });

  test('a request pass 1 did not count, and one whose counted lines did not all come, are held to the end and given whole', () => {
    const assembler = new RequestAssembler();
    assembler.count(A);
    assembler.count(A);
    assembler.count(A);
    expect(assembler.add(line(B, B, 9, 'b only in pass 2'))).toBeUndefined();
    expect(assembler.add(line(A, A, 1, 'a first'))).toBeUndefined();
    expect(assembler.add(line(A, A, 2, 'a second'))).toBeUndefined();
    const rest = assembler.unfinished();
    expect(rest.map(tree => [tree.requestId, tree.root.lines.map(l => l.msg)])).toEqual([
      [A, ['a first', 'a second']],
      [B, ['b only in pass 2']],
    ]);
    expect(assembler.unfinished()).toEqual([]);
  });
});
