/**
 * `tracehop tree`: reads the files (or stdin), builds every request's hop
 * tree and prints it. The one file of src/tree/ with side effects.
 */
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { LogFieldNames } from '../config';
import { formatTree, treeToJson } from './format-tree';
import { HopCollector } from './hop-tree';
import { parseLogLine } from './log-line';
import { parseTreeArgs, USAGE } from './args';

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

/** Runs `tracehop tree`; resolves with the exit status. */
export async function runTree(argv: readonly string[], env: TreeEnvironment): Promise<number> {
  const parsed = parseTreeArgs(argv);
  if (parsed.kind === 'help') {
    env.output.stdout(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    env.output.stderr(`tracehop tree: ${parsed.message}\n\n${USAGE}\n`);
    return 2;
  }
  const { files, request, json } = parsed.options;
  const collector = new HopCollector(request);
  const counts: TreeCounts = { lines: 0, notJson: 0, noRequestId: 0 };
  const sources = files.length === 0 ? ['-'] : files;
  for (const file of sources) {
    // Large reads: a big log is read in fewer, cheaper steps.
    const input = file === '-' ? env.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
    // A file's name stands in for the service of lines that name none (`cards.log` -> cards).
    const fallback = file === '-' ? 'stdin' : path.basename(file).replace(/\.(log|jsonl?|ndjson|txt)$/i, '');
    try {
      await readLines(input, fallback, env.logFields, collector, counts, request);
    } catch (error) {
      env.output.stderr(`tracehop tree: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
      return 2;
    }
  }
  const trees = collector.trees();
  for (const tree of trees) env.output.stdout(json ? `${JSON.stringify(treeToJson(tree))}\n` : `${formatTree(tree)}\n`);
  env.output.stderr(`tracehop tree: ${counts.lines} lines, ${collector.requestCount} request(s); skipped ${counts.notJson} not JSON, ${counts.noRequestId} without a request id\n`);
  if (request !== undefined && trees.length === 0) {
    env.output.stderr(`tracehop tree: no line of request ${JSON.stringify(request.slice(0, 128))}\n`);
    return 1;
  }
  return 0;
}

function readLines(input: Readable, fallback: string, fields: LogFieldNames, collector: HopCollector, counts: TreeCounts, request: string | undefined): Promise<void> {
  // With --request, a line that does not hold the id as JSON writes it cannot be the request's: no need to parse it.
  const needle = request === undefined ? undefined : JSON.stringify(request).slice(1, -1);
  return new Promise((resolve, reject) => {
    input.once('error', reject);
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
    lines.on('line', text => {
      if (text.length === 0) return;
      if (needle !== undefined && !text.includes(needle)) {
        counts.lines++;
        return;
      }
      const result = parseLogLine(text, fields, fallback, counts.lines++);
      if (result.kind === 'line') collector.add(result.line);
      else if (result.kind === 'not-json') counts.notJson++;
      else counts.noRequestId++;
    });
    lines.once('close', resolve);
  });
}
