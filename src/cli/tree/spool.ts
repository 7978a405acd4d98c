/**
 * Copies a stream that cannot be read twice (stdin, a pipe) into a temporary
 * file in os.tmpdir(), so that `tracehop tree` can read it in two passes like
 * any file. The file's name is removed as soon as it is open (POSIX keeps the
 * data while it is open), so nothing is left behind however the command ends,
 * Ctrl-C, a closed pipe or SIGKILL included; where the system refuses that
 * (Windows), `close()` removes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';

const SPOOL_WRITE_BYTES = 1 << 20;

export interface Spool {
  /** The copy, open for reading from its start. */
  readonly file: FileHandle;
  readonly bytes: number;
  /** Closes the copy and removes whatever is left of it. */
  readonly close: () => Promise<void>;
}

/** Copies `input` to its end; on any error the copy is removed before the error is passed on. */
export async function spoolToTempFile(input: Readable): Promise<Spool> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tracehop-tree-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  let file: FileHandle | undefined;
  try {
    file = await open(path.join(dir, 'stdin.log'), 'w+', 0o600);
    try {
      remove();
    } catch {
      // Not removable while open on this system: close() removes it.
    }
    let bytes = 0;
    const opened = file;
    const write = async (data: Buffer): Promise<void> => {
      // Positional writes: the handle is shared with the reads that follow, each at its own offset.
      for (let done = 0; done < data.length;) done += (await opened.write(data, done, data.length - done, bytes + done)).bytesWritten;
      bytes += data.length;
    };
    // A pipe gives 64 KB at a time: written in 1 MB pieces, the copy costs fewer system calls.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for await (const chunk of input) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      pending.push(data);
      pendingBytes += data.length;
      if (pendingBytes >= SPOOL_WRITE_BYTES) {
        await write(Buffer.concat(pending, pendingBytes));
        pending = [];
        pendingBytes = 0;
      }
    }
    if (pendingBytes > 0) await write(Buffer.concat(pending, pendingBytes));
    return {
      file: opened,
      bytes,
      close: async () => {
        await opened.close().catch(() => undefined);
        remove();
      },
    };
  } catch (error) {
    await file?.close().catch(() => undefined);
    remove();
    throw error;
  }
}
