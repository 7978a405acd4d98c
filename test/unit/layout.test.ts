/**
 * The layout's rules, checked on every run (STYLE.md, "Our layout"): data
 * flows one way, so no two folders of src/ import each other, however
 * indirectly; and code that runs in the app never imports the command-line
 * tools (src/cli/), which may print and load what an app does not need.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.join(__dirname, '..', '..', 'src');
/** Relative import specifiers: `from '../x'`, `import('./y')`, `require('../z')`, `export ... from`. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

type Graph = ReadonlyMap<string, ReadonlySet<string>>;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The file a relative specifier names: `x.ts`, or `x/index.ts`. */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find(candidate => candidate.endsWith('.ts') && fs.existsSync(candidate));
}

/** The top-level folder of src/ a file belongs to; a file at the root of src/ is its own node. */
function folderOf(file: string): string {
  const [first, ...rest] = path.relative(SRC, file).split(path.sep);
  return rest.length === 0 ? first : `${first}/`;
}

/** Folder-level import graph of src/: an edge for each import between two different folders. */
function folderGraph(): { graph: Map<string, Set<string>>; imports: Array<[string, string]> } {
  const graph = new Map<string, Set<string>>();
  const imports: Array<[string, string]> = [];
  for (const file of sourceFiles(SRC)) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const target = resolveImport(file, match[1]);
      if (target === undefined || !target.startsWith(SRC)) continue;
      imports.push([file, target]);
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from === to) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
  }
  return { graph, imports };
}

/** The groups of nodes that reach each other (strongly connected, more than one node), each sorted. Pure. */
export function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

const graphOf = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

describe('the cycle finder', () => {
  test.each<[string, Record<string, string[]>, string[][]]>([
    ['a chain has none', { a: ['b'], b: ['c'] }, []],
    ['two folders importing each other', { a: ['b'], b: ['a'] }, [['a', 'b']]],
    ['a cycle through three', { a: ['b'], b: ['c'], c: ['a'], d: ['a'] }, [['a', 'b', 'c']]],
    [
      'two separate cycles',
      { a: ['b'], b: ['a'], c: ['d'], d: ['c'] },
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
  ])('%s', (_title, edges, expected) => {
    expect(cycles(graphOf(edges)).sort()).toEqual(expected);
  });
});

describe('the layout of src/', () => {
  const { graph, imports } = folderGraph();

  test('the scan sees the code it guards', () => {
    expect(imports.length).toBeGreaterThan(300);
    expect([...graph.keys()]).toEqual(expect.arrayContaining(['runtime/', 'core/', 'cli/', 'export/']));
  });

  test('no two folders import each other, directly or through others', () => {
    expect(cycles(graph)).toEqual([]);
  });

  test('code that runs in the app never imports the command-line tools', () => {
    const cli = path.join(SRC, 'cli') + path.sep;
    const offending = imports
      .filter(([from, to]) => !from.startsWith(cli) && to.startsWith(cli))
      .map(([from, to]) => `${path.relative(SRC, from)} -> ${path.relative(SRC, to)}`);
    expect(offending).toEqual([]);
  });
});
