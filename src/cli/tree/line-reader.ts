/**
 * Reads a log file's lines in large chunks, pulled one at a time, so that
 * several files can be read side by side (pass 2 of `tracehop tree` merges
 * them by time). It can stop at a byte length: pass 2 reads exactly the bytes
 * pass 1 counted, even if the file has grown since.
 */
import type { FileHandle } from 'node:fs/promises';

const NEWLINE = 0x0a;

export class LineReader {
  private buffer: Buffer;
  /** Whole lines read and not yet taken, from `next` on, each ended by a newline except perhaps the file's last. */
  private text = '';
  private next = 0;
  /** Bytes at the buffer's start that follow the last newline read: the start of a line still to come. */
  private carried = 0;
  private position = 0;
  private ended = false;

  /**
   * @param file an open file, read from its start
   * @param limit the bytes to read at most (Infinity: to the end)
   * @param chunkSize bytes per read; a longer line grows the buffer
   */
  constructor(
    private readonly file: FileHandle,
    private readonly limit = Infinity,
    chunkSize = 1 << 20,
  ) {
    this.buffer = Buffer.allocUnsafe(chunkSize);
  }

  /** Bytes read so far. */
  get bytesRead(): number {
    return this.position;
  }

  /**
   * The next line (without its `\n` or `\r\n`); undefined when the lines
   * already read are used up: then `fill()` reads more, and resolves false at
   * the end of the file. Pulling a line costs no promise, reading a chunk one.
   */
  take(): string | undefined {
    const start = this.next;
    if (start >= this.text.length) return undefined;
    let end = this.text.indexOf('\n', start);
    if (end < 0) end = this.text.length;
    this.next = end + 1;
    return this.text.charCodeAt(end - 1) === 13 /* \r */ && end > start ? this.text.slice(start, end - 1) : this.text.slice(start, end);
  }

  /**
   * All the lines read and not yet taken, as one text, for a reader that
   * scans them in place: lines end with `\n` (or `\r\n`), the last perhaps
   * with neither. Undefined when they are used up, as for `take()`.
   */
  takeAll(): string | undefined {
    if (this.next >= this.text.length) return undefined;
    const rest = this.next === 0 ? this.text : this.text.slice(this.next);
    this.next = this.text.length;
    return rest;
  }

  /** Reads the next chunk's lines; false when there is nothing more to read. */
  async fill(): Promise<boolean> {
    this.text = '';
    this.next = 0;
    while (!this.ended && this.text.length === 0) {
      if (this.carried === this.buffer.length) {
        // One line longer than the buffer: a bigger one.
        const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
        this.buffer.copy(bigger, 0, 0, this.carried);
        this.buffer = bigger;
      }
      const want = Math.min(this.buffer.length - this.carried, this.limit - this.position);
      const { bytesRead } = want > 0 ? await this.file.read(this.buffer, this.carried, want, this.position) : { bytesRead: 0 };
      this.position += bytesRead;
      const filled = this.carried + bytesRead;
      if (bytesRead === 0) {
        this.ended = true;
        // The last line may have no newline; it is a line all the same.
        if (filled > 0) this.text = this.buffer.toString('utf8', 0, filled);
        this.carried = 0;
        break;
      }
      // A newline byte is never inside a UTF-8 sequence: decoding up to the last one never splits a character.
      const last = this.buffer.lastIndexOf(NEWLINE, filled - 1);
      if (last < 0) {
        this.carried = filled;
        continue;
      }
      this.text = this.buffer.toString('utf8', 0, last + 1);
      this.carried = filled - last - 1;
      this.buffer.copy(this.buffer, 0, last + 1, filled);
    }
    return this.text.length > 0;
  }
}
