/**
 * `tracehop tree`: reads the files (or stdin), builds every request's hop
 * tree and prints it. The one file of src/cli/tree/ that decides what is read,
 * when, and what is printed; the reading itself is line-reader.ts and
 * spool.ts.
 *
 * Every request's tree is read in two passes, so that memory grows with the
 * requests, not the lines (request-assembler.ts): pass 1 counts each request's
 * lines; pass 2 reads the files again side by side, merged by time
 * (time-merge.ts), and prints each request's tree as soon as its last line has
 * arrived. Input that cannot be read twice (stdin, a pipe) is first copied to
 * a temporary file. `--request ID` needs neither: one pass keeps that
 * request's lines alone.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { LogFieldNames } from '../../config';
import { formatTree, treeToJson } from './format-tree';
import { buildRequestTree } from './hop-tree';
import type { RequestTree } from './hop-tree';
import { LineReader } from './line-reader';
import { parseLogLine } from './log-line';
import type { LineResult, TreeLine } from './log-line';
import { parseTreeArgs, USAGE } from './args';
import { answerHelpOrError } from '../command-line';
import { RequestAssembler } from './request-assembler';
import { scanRequestIds } from './request-id-scan';
import { RequestLines } from './request-lines';
import { spoolToTempFile } from './spool';
import { mergeByTime } from './time-merge';
import type { PullSource } from './time-merge';

export interface TreeOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface TreeEnvironment {
  readonly output: TreeOutput;
  /** Read when no file is named. */
  readonly stdin: Readable;
  /** The log field names, from the configuration (TRACEHOP_LOG_FIELDS). */
  readonly logFields: LogFieldNames;
}

export interface TreeCounts {
  lines: number;
  notJson: number;
  noRequestId: number;
}

/** One input, open for reading twice. */
interface Input {
  readonly name: string;
  /** Stands in for the service of lines that name none. */
  readonly fallback: string;
  readonly file: FileHandle;
  /** Bytes copied from a stream that cannot be read twice; undefined for a file read in place. */
  readonly spooledBytes: number | undefined;
  close(): Promise<void>;
  /** Set by pass 1: its bytes, and the arrival number of its first line. */
  bytes: number;
  firstSeq: number;
}

/** Reading buffers for all the files of pass 2 together: 1 MB each, less when there are many. */
const PASS_2_BUFFER_BYTES = 16 << 20;

/** Runs `tracehop tree`; resolves with the exit status. */
export async function runTree(argv: readonly string[], env: TreeEnvironment): Promise<number> {
  const parsed = parseTreeArgs(argv);
  if (parsed.kind !== 'run') return answerHelpOrError(parsed, 'tree', USAGE, env.output);
  const { files, request, json } = parsed.options;
  const sources = files.length === 0 ? ['-'] : files;
  const print = (tree: RequestTree): void => env.output.stdout(json ? `${JSON.stringify(treeToJson(tree))}\n` : `${formatTree(tree)}\n`);
  return request === undefined ? everyRequest(sources, env, print) : oneRequest(sources, request, env, print);
}

async function everyRequest(sources: readonly string[], env: TreeEnvironment, print: (tree: RequestTree) => void): Promise<number> {
  const counts: TreeCounts = { lines: 0, notJson: 0, noRequestId: 0 };
  const assembler = new RequestAssembler();
  const inputs: Input[] = [];
  let current = '';
  try {
    for (const source of sources) {
      current = source;
      inputs.push(await openInput(source, env.stdin));
    }
    for (const input of inputs) {
      current = input.name;
      await countLines(input, env.logFields, assembler, counts);
    }
    current = sources.length === 1 ? sources[0] : sources.join(', ');
    const chunk = Math.max(64 << 10, Math.min(1 << 20, Math.floor(PASS_2_BUFFER_BYTES / inputs.length)));
    const readers = inputs.map(input => new ParsedLines(new LineReader(input.file, input.bytes, chunk), env.logFields, input.fallback, input.firstSeq, counts));
    await mergeByTime(
      readers,
      line => line.time,
      line => {
        const tree = assembler.add(line);
        if (tree !== undefined) print(tree);
      },
    );
    for (const tree of assembler.unfinished()) print(tree);
  } catch (error) {
    env.output.stderr(`tracehop tree: cannot read ${current}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return 2;
  } finally {
    await Promise.all(inputs.map(input => input.close()));
  }
  for (const input of inputs) {
    if (input.spooledBytes !== undefined)
      env.output.stderr(`tracehop tree: ${input.name} read through a temporary file (${input.spooledBytes} bytes), removed\n`);
  }
  env.output.stderr(`${summary(counts, assembler.requestCount)}; at most ${assembler.peakHeldLines} line(s) held at once\n`);
  return 0;
}

/** A file is read in place when it is a regular file; stdin and anything else (a pipe, `<(...)`) is copied first. */
async function openInput(source: string, stdin: Readable): Promise<Input> {
  const fallback = fallbackService(source);
  const name = source === '-' ? 'stdin' : source;
  let stream: Readable = stdin;
  if (source !== '-') {
    const file = await open(source, 'r');
    const isFile = await file.stat().then(
      stat => stat.isFile(),
      () => false,
    );
    if (isFile) return { name, fallback, file, spooledBytes: undefined, close: () => file.close().catch(() => undefined), bytes: 0, firstSeq: 0 };
    stream = file.createReadStream();
  }
  const spool = await spoolToTempFile(stream);
  return { name, fallback, file: spool.file, spooledBytes: spool.bytes, close: spool.close, bytes: 0, firstSeq: 0 };
}

/**
 * Pass 1: counts each request's lines, and the input's bytes, keeping no
 * line. Most lines give their request id without being parsed
 * (request-id-scan.ts); the lines are parsed, and the skipped ones counted,
 * in pass 2.
 */
async function countLines(input: Input, fields: LogFieldNames, assembler: RequestAssembler, counts: TreeCounts): Promise<void> {
  input.firstSeq = counts.lines;
  const reader = new LineReader(input.file);
  const visit = (settled: string | undefined, line: string | undefined): void => {
    const requestId = settled ?? requestIdOf(parseLogLine(line as string, fields, input.fallback, counts.lines));
    counts.lines++;
    if (requestId !== undefined) assembler.count(requestId);
  };
  while (await reader.fill()) {
    for (let text = reader.takeAll(); text !== undefined; text = reader.takeAll()) scanRequestIds(text, fields.requestId, visit);
  }
  input.bytes = reader.bytesRead;
}

function requestIdOf(result: LineResult): string | undefined {
  return result.kind === 'line' ? result.line.requestId : undefined;
}

/** Pass 2's view of one input: its lines parsed, numbered as pass 1 numbered them; those without a request are counted and skipped. */
class ParsedLines implements PullSource<TreeLine> {
  constructor(
    private readonly reader: LineReader,
    private readonly fields: LogFieldNames,
    private readonly fallback: string,
    private seq: number,
    private readonly counts: TreeCounts,
  ) {}

  take(): TreeLine | undefined {
    for (let text = this.reader.take(); text !== undefined; text = this.reader.take()) {
      if (text.length === 0) continue;
      const result = parseLogLine(text, this.fields, this.fallback, this.seq++);
      if (result.kind === 'line') return result.line;
      if (result.kind === 'not-json') this.counts.notJson++;
      else this.counts.noRequestId++;
    }
    return undefined;
  }

  fill(): Promise<boolean> {
    return this.reader.fill();
  }
}

/** `--request ID`: one pass over the inputs as streams, keeping that request's lines alone. */
async function oneRequest(sources: readonly string[], request: string, env: TreeEnvironment, print: (tree: RequestTree) => void): Promise<number> {
  const lines = new RequestLines();
  const counts: TreeCounts = { lines: 0, notJson: 0, noRequestId: 0 };
  for (const source of sources) {
    // Large reads: a big log is read in fewer, cheaper steps.
    const input = source === '-' ? env.stdin : createReadStream(source, { highWaterMark: 1 << 20 });
    const fallback = fallbackService(source);
    try {
      await readRequestLines(input, fallback, env.logFields, request, lines, counts);
    } catch (error) {
      env.output.stderr(`tracehop tree: cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
      return 2;
    }
  }
  const found = lines.size > 0;
  if (found) print(buildRequestTree(request, lines.groups()));
  env.output.stderr(`${summary(counts, found ? 1 : 0)}\n`);
  if (!found) {
    env.output.stderr(`tracehop tree: no line of request ${JSON.stringify(request.slice(0, 128))}\n`);
    return 1;
  }
  return 0;
}

function readRequestLines(input: Readable, fallback: string, fields: LogFieldNames, request: string, kept: RequestLines, counts: TreeCounts): Promise<void> {
  // A line that does not hold the id as JSON writes it cannot be the request's: no need to parse it.
  const needle = JSON.stringify(request).slice(1, -1);
  return new Promise((resolve, reject) => {
    input.once('error', reject);
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
    lines.on('line', text => {
      if (text.length === 0) return;
      if (!text.includes(needle)) {
        counts.lines++;
        return;
      }
      const result = parseLogLine(text, fields, fallback, counts.lines++);
      if (result.kind === 'line') {
        if (result.line.requestId === request) kept.add(result.line);
      } else if (result.kind === 'not-json') counts.notJson++;
      else counts.noRequestId++;
    });
    lines.once('close', resolve);
  });
}

/** A file's name stands in for the service of lines that name none (`cards.log` -> cards). */
function fallbackService(source: string): string {
  return source === '-' ? 'stdin' : path.basename(source).replace(/\.(log|jsonl?|ndjson|txt)$/i, '');
}

function summary(counts: TreeCounts, requests: number): string {
  return `tracehop tree: ${counts.lines} lines, ${requests} request(s); skipped ${counts.notJson} not JSON, ${counts.noRequestId} without a request id`;
}
