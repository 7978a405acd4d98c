/**
 * `tracehop tree` over the real lost-and-stolen chain's pino lines, run as
 * users run it (the package's bin in a child process): the lines shuffled,
 * with non-JSON noise, under renamed log fields.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JsonHop } from '../../src/cli/tree';

import { startChain } from '../support/services';

const BIN = path.join(__dirname, '..', '..', 'bin', 'tracehop.js');
const FIELDS = 'request_id=reqId,request_chain=reqChain';
const KILL_AFTER_MS = 30_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runTree(args: string[], stdin: string | undefined, env: Record<string, string | undefined>): Promise<Run> {
  const child = spawn(process.execPath, [BIN, 'tree', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', chunk => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', chunk => {
    stderr += chunk;
  });
  child.stdin.end(stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', code => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Deterministic shuffle (a fixed-seed LCG), so a failure reproduces. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function walk(hop: JsonHop, visit: (hop: JsonHop, depth: number) => void, depth = 0): void {
  visit(hop, depth);
  for (const child of hop.children) walk(child, visit, depth + 1);
}

describe('tracehop tree over the lost-and-stolen chain', () => {
  let dir: string;
  let requestId: string;
  let byService: Map<string, Record<string, unknown>[]>;
  /** Each service's lines of three requests, two of them run at once so that their lines interleave. */
  let threeByService: Map<string, Record<string, unknown>[]>;
  let ids: string[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-tree-'));
    const chain = await startChain({ OTEL_TRACES_EXPORTER: 'none', TRACEHOP_LOG_FIELDS: FIELDS });
    try {
      // No request id is sent: the id is born at the gateway, whatever the rule for incoming ids.
      const response = await fetch(`${chain.gateway.url}/cards/lost_and_stolen/`, { method: 'POST' });
      await response.text();
      requestId = response.headers.get('x-request-id') ?? '';
      const more = await Promise.all(
        [1, 2].map(async () => {
          const answer = await fetch(`${chain.gateway.url}/cards/lost_and_stolen/`, { method: 'POST' });
          await answer.text();
          return answer.headers.get('x-request-id') ?? '';
        }),
      );
      ids = [requestId, ...more];
      // Each service's last line of each request; the gateway's is written after its answer.
      await Promise.all(
        ids.flatMap(id => [
          chain.gateway.waitForLine(line => line.reqId === id && line.msg === 'card reported lost'),
          chain.cards.waitForLine(line => line.reqId === id && line.msg === 'card cancelled'),
          chain.accounts.waitForLine(line => line.reqId === id && line.msg === 'replacement card ordered'),
        ]),
      );
    } finally {
      await chain.stop();
    }
    byService = new Map(chain.services.map(service => [service.name, service.lines.filter(line => line.reqId === requestId)]));
    threeByService = new Map(chain.services.map(service => [service.name, service.lines.filter(line => ids.includes(String(line.reqId)))]));
  }, 60_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('files shuffled with noise: one root at the gateway, every hop of the chain beneath it, lines in time order', async () => {
    const files: string[] = [];
    let seed = 7;
    for (const [name, lines] of byService) {
      const noise = ['Server starting...', '{"broken": ', JSON.stringify({ level: 30, msg: 'listening outside any request' })];
      const text = shuffled([...lines.map(line => JSON.stringify(line)), ...noise], seed++).join('\n') + '\n';
      const file = path.join(dir, `${name}.log`);
      fs.writeFileSync(file, text);
      files.push(file);
    }
    const run = await runTree(['--json', ...files], undefined, { TRACEHOP_LOG_FIELDS: FIELDS });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/skipped 6 not JSON, 3 without a request id/);
    const docs = run.stdout
      .trim()
      .split('\n')
      .map(text => JSON.parse(text) as { requestId: string; root: JsonHop });
    expect(docs.map(doc => doc.requestId)).toEqual([requestId]);
    const { root } = docs[0];
    expect(root).toMatchObject({ chain: requestId, service: 'gateway', method: 'POST', path: '/cards/lost_and_stolen/' });
    // Each downstream hop is the gateway's child, its chain the root's plus one element, named after its file.
    const expected = [...byService].flatMap(([name, lines]) =>
      [...new Set(lines.map(line => String(line.reqChain)).filter(chain => chain !== requestId))].map(chain => ({ chain, service: name })),
    );
    expect(root.children.map(child => ({ chain: child.chain, service: child.service })).sort((a, b) => a.chain.localeCompare(b.chain))).toEqual(
      expected.sort((a, b) => a.chain.localeCompare(b.chain)),
    );
    expect(root.children.length).toBeGreaterThanOrEqual(4);
    let total = 0;
    walk(root, hop => {
      total += hop.lines.length;
      const times = hop.lines.map(line => line.time as number);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });
    expect(total).toBe([...byService.values()].reduce((sum, lines) => sum + lines.length, 0));
    expect(root.children.every(child => child.children.length === 0 && child.chain.split(',').length === 2)).toBe(true);
  });

  test('stdin, with a --request filter and the human output: the hops are drawn under the request id', async () => {
    const all = shuffled(
      [...byService].flatMap(([name, lines]) => lines.map(line => JSON.stringify({ ...line, service: name }))),
      3,
    );
    const other = JSON.stringify({ reqId: 'someone-else', reqChain: 'someone-else', msg: 'other request' });
    const run = await runTree(['--request', requestId], [...all, other].join('\n') + '\n', { TRACEHOP_LOG_FIELDS: FIELDS });
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`request ${requestId}`);
    expect(lines[1]).toBe('└─ gateway  POST /cards/lost_and_stolen/');
    expect(run.stdout).toMatch(/├─ cards {2}GET \/cards\/1234567890123456\/ {2}\([0-9a-f]{16}\)/);
    expect(run.stdout).toMatch(/accounts {2}POST \/accounts\/123456\/card\/ {2}\([0-9a-f]{16}\)/);
    expect(run.stdout).not.toContain('other request');
  });

  test('under the default field names the renamed lines carry no request id, and a missing request is exit status 1', async () => {
    const text =
      [...byService.values()]
        .flat()
        .map(line => JSON.stringify(line))
        .join('\n') + '\n';
    const run = await runTree(['--request', requestId], text, {});
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/0 request\(s\); skipped 0 not JSON, \d+ without a request id/);
  });

  /** The three requests' lines, each with its service named, one file per service in the order they were written. */
  function writeServiceFiles(into: string): string[] {
    fs.mkdirSync(into, { recursive: true });
    return [...threeByService].map(([name, lines]) => {
      const file = path.join(into, `${name}.log`);
      fs.writeFileSync(file, lines.map(line => JSON.stringify({ ...line, service: name })).join('\n') + '\n');
      return file;
    });
  }

  /** The --json documents of a run, sorted by request id: the trees, whatever order they were printed in. */
  function treesOf(run: Run): string[] {
    return run.stdout
      .trim()
      .split('\n')
      .map(text => JSON.parse(text) as { requestId: string })
      .sort((a, b) => a.requestId.localeCompare(b.requestId))
      .map(doc => JSON.stringify(doc));
  }

  test('stdin is copied to a temporary file in the temporary directory, read in two passes like the files, and gone at the end', async () => {
    const files = writeServiceFiles(path.join(dir, 'spool-files'));
    const fromFiles = await runTree(['--json', ...files], undefined, { TRACEHOP_LOG_FIELDS: FIELDS });
    expect(fromFiles.code).toBe(0);
    expect(treesOf(fromFiles)).toHaveLength(3);

    const tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
    const created: string[] = [];
    const watcher = fs.watch(tmp, (_event, name) => {
      if (name !== null) created.push(String(name));
    });
    const spoolSeen = new Promise<void>(resolve =>
      watcher.on('change', (_event, name) => {
        if (String(name).startsWith('tracehop-tree-')) resolve();
      }),
    );
    try {
      const stdin = files.map(file => fs.readFileSync(file, 'utf8')).join('');
      const fromStdin = await runTree(['--json'], stdin, { TRACEHOP_LOG_FIELDS: FIELDS, TMPDIR: tmp });
      await spoolSeen;
      expect(fromStdin.code).toBe(0);
      expect(fromStdin.stderr).toContain(`stdin read through a temporary file (${Buffer.byteLength(stdin)} bytes), removed`);
      expect(fromStdin.stderr).toMatch(/ 3 request\(s\); skipped 0 not JSON, 0 without a request id/);
      expect(treesOf(fromStdin)).toEqual(treesOf(fromFiles));
      expect(created.some(name => name.startsWith('tracehop-tree-'))).toBe(true);
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      watcher.close();
    }
  });

  test('a file that cannot be read after stdin: exit status 2, one line, and the temporary file is removed', async () => {
    const tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
    const missing = path.join(dir, 'no-such.log');
    const run = await runTree(['--json', '-', missing], JSON.stringify({ reqId: 'r1', msg: 'x' }) + '\n', { TRACEHOP_LOG_FIELDS: FIELDS, TMPDIR: tmp });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`tracehop tree: cannot read ${missing}: ENOENT\n`);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test("the three requests' lines shuffled into one file: the same three trees as the files in order give", async () => {
    const files = writeServiceFiles(path.join(dir, 'shuffle-files'));
    const inOrder = await runTree(['--json', ...files], undefined, { TRACEHOP_LOG_FIELDS: FIELDS });
    const all = files.flatMap(file => fs.readFileSync(file, 'utf8').trim().split('\n'));
    const mixed = path.join(dir, 'shuffled.log');
    fs.writeFileSync(mixed, shuffled(all, 11).join('\n') + '\n');
    const fromShuffled = await runTree(['--json', mixed], undefined, { TRACEHOP_LOG_FIELDS: FIELDS });
    expect(fromShuffled.code).toBe(0);
    const trees = treesOf(fromShuffled);
    expect(trees.map(text => (JSON.parse(text) as { requestId: string }).requestId)).toEqual([...ids].sort());
    // Shuffling loses which of two lines logged in the same millisecond came first, so those are compared in a fixed order.
    expect(trees.map(sameMillisecondInOrder)).toEqual(treesOf(inOrder).map(sameMillisecondInOrder));
    // Every line of every request is in its tree.
    let total = 0;
    for (const text of trees)
      walk((JSON.parse(text) as { root: JsonHop }).root, hop => {
        total += hop.lines.length;
      });
    expect(total).toBe(all.length);
  });
});

/** A tree's JSON with each hop's lines of the same time put in one fixed order (by message, then level). */
function sameMillisecondInOrder(text: string): unknown {
  const tree = JSON.parse(text) as { root: JsonHop };
  walk(tree.root, hop => {
    const lines = hop.lines as unknown as Array<{ time?: number; msg?: string; level?: number }>;
    lines.sort((a, b) => (a.time ?? 0) - (b.time ?? 0) || String(a.msg).localeCompare(String(b.msg)) || (a.level ?? 0) - (b.level ?? 0));
  });
  return tree;
}
