import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { followFile } from '../../../../src/cli/view/follow-file';

/** Collects lines and lets the test wait for the n-th one: the follower's own callback is the event. */
function collector() {
  const lines: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    lines,
    onLine(line: string) {
      lines.push(line);
      for (const w of waiters.filter(w => lines.length >= w.n)) w.resolve();
    },
    until(n: number): Promise<void> {
      return lines.length >= n ? Promise.resolve() : new Promise(resolve => waiters.push({ n, resolve }));
    },
  };
}

describe('followFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-follow-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads the file from its start, then what is appended; a line written in two parts arrives once, whole', async () => {
    const file = path.join(dir, 'a.log');
    fs.writeFileSync(file, 'one\ntw');
    const seen = collector();
    const follower = followFile(
      file,
      line => seen.onLine(line),
      message => {
        throw new Error(message);
      },
    );
    await seen.until(1);
    // 'tw' has been read by now (it came in the same read as 'one') and waits for its newline.
    fs.appendFileSync(file, 'o\nthree\n');
    await seen.until(3);
    await follower.stop();
    expect(seen.lines).toEqual(['one', 'two', 'three']);
  });

  test('a file that does not exist yet is reported once and read once it appears', async () => {
    const file = path.join(dir, 'later.log');
    const errors: string[] = [];
    const seen = collector();
    let reported!: () => void;
    const firstError = new Promise<void>(resolve => {
      reported = resolve;
    });
    const follower = followFile(
      file,
      line => seen.onLine(line),
      message => {
        errors.push(message);
        reported();
      },
    );
    await firstError;
    fs.writeFileSync(file, 'hello\n');
    await seen.until(1);
    await follower.stop();
    expect(errors).toEqual([`cannot read ${file}: ENOENT`]);
    expect(seen.lines).toEqual(['hello']);
  });
});
