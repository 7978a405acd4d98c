/** The two pieces pass 2 reads with: LineReader over a real file, and mergeByTime over sources in memory. */
import * as fs from 'node:fs';
import { open } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { LineReader, mergeByTime } from '../../../../src/cli/tree';
import type { PullSource } from '../../../../src/cli/tree';

async function readAll(file: string, limit?: number, chunkSize?: number): Promise<{ lines: string[]; bytes: number }> {
  const handle = await open(file, 'r');
  try {
    const reader = new LineReader(handle, limit, chunkSize);
    const lines: string[] = [];
    while (await reader.fill()) for (let line = reader.take(); line !== undefined; line = reader.take()) lines.push(line);
    return { lines, bytes: reader.bytesRead };
  } finally {
    await handle.close();
  }
}

describe('LineReader', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-line-reader-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('lines across chunk boundaries, a character of several bytes split by a read, \\r\\n endings, a line longer than the buffer, a last line without a newline', async () => {
    const long = 'x'.repeat(50);
    const lines = ['first', 'é€😀 across', '', 'crlf', long, 'last'];
    const file = path.join(dir, 'mixed.log');
    fs.writeFileSync(file, `${lines[0]}\n${lines[1]}\n\n${lines[3]}\r\n${lines[4]}\nlast`);
    // An 8-byte buffer splits every line and every multi-byte character somewhere.
    for (const chunk of [8, 9, 13, 1 << 20]) expect((await readAll(file, Infinity, chunk)).lines).toEqual(lines);
  });

  test('a limit stops at that byte, so pass 2 reads what pass 1 counted even if the file grew', async () => {
    const file = path.join(dir, 'growing.log');
    fs.writeFileSync(file, 'one\ntwo\n');
    const counted = await readAll(file);
    fs.appendFileSync(file, 'three\n');
    expect(counted).toEqual({ lines: ['one', 'two'], bytes: 8 });
    expect(await readAll(file, counted.bytes, 4)).toEqual({ lines: ['one', 'two'], bytes: 8 });
  });
});

/** A source handing out its items a few per "read", as a file reader does per chunk. */
function source<T>(items: T[], perFill: number): PullSource<T> {
  let ready: T[] = [];
  let at = 0;
  return {
    take: () => ready.shift(),
    fill: () => {
      ready = items.slice(at, at + perFill);
      at += perFill;
      return Promise.resolve(ready.length > 0);
    },
  };
}

describe('mergeByTime', () => {
  test('the earliest next item of any source goes first; ties go to the source listed first; an item without a time goes at once', async () => {
    const gateway = [
      { t: 1, id: 'g1' },
      { t: 5, id: 'g5' },
      { t: 9, id: 'g9' },
    ];
    const cards = [
      { t: 2, id: 'c2' },
      { t: 5, id: 'c5' },
      { t: Number.NaN, id: 'cNaN' },
      { t: 6, id: 'c6' },
    ];
    const empty: { t: number; id: string }[] = [];
    const out: string[] = [];
    await mergeByTime(
      [source(gateway, 2), source(empty, 1), source(cards, 1)],
      item => item.t,
      item => out.push(item.id),
    );
    expect(out).toEqual(['g1', 'c2', 'g5', 'c5', 'cNaN', 'c6', 'g9']);
  });

  test('a source out of order is read in its own order, never reordered or dropped', async () => {
    const out: number[] = [];
    await mergeByTime(
      [source([3, 1, 2], 1), source([2], 1)],
      item => item,
      item => out.push(item),
    );
    expect(out).toEqual([2, 3, 1, 2]);
  });
});
