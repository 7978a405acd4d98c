/**
 * Follows a log file as it grows (like `tail -f` from the start): every
 * complete line is handed on, a partial last line waits for its newline. A
 * file that is truncated or replaced is read again from its start.
 */
import { promises as fs } from 'node:fs';

/** How often the file is looked at: fast enough for a person watching, cheap enough to forget. */
const POLL_MS = 200;
const CHUNK_BYTES = 64 * 1024;

export interface Follower {
  stop(): Promise<void>;
}

export function followFile(file: string, onLine: (line: string) => void, onError: (message: string) => void): Follower {
  let position = 0;
  let partial = '';
  let stopped = false;
  let reported = false;
  let running: Promise<void> = Promise.resolve();

  const readNew = async (): Promise<void> => {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(file, 'r');
      const { size } = await handle.stat();
      if (size < position) {
        position = 0;
        partial = '';
      }
      const buffer = Buffer.alloc(CHUNK_BYTES);
      while (position < size && !stopped) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        const text = partial + buffer.toString('utf8', 0, bytesRead);
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      }
      reported = false;
    } catch (error) {
      // Report a missing or unreadable file once, and keep looking: it may appear.
      if (!reported) onError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      reported = true;
    } finally {
      await handle?.close();
    }
  };

  const poll = (): void => {
    running = readNew().then(() => {
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    });
  };
  let timer: NodeJS.Timeout | undefined;
  poll();
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
      // One last read, so lines written just before the stop are not lost.
      stopped = false;
      await readNew();
      stopped = true;
    },
  };
}
