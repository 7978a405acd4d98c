/**
 * `tracehop view`: starts the viewer, feeds it logs from stdin and --logs
 * files, prints each trace, and ends cleanly on SIGINT or SIGTERM after
 * printing what is still pending. The one file of src/cli/view/ with side effects.
 */
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { LogFieldNames } from '../../config';
import { parseViewArgs, USAGE } from './args';
import { answerHelpOrError } from '../command-line';
import { followFile } from './follow-file';
import { ANSI_COLOUR, formatLateLog, formatTrace, NO_COLOUR } from './format-trace';
import type { LateLogDocument } from './late-logs';
import { startViewer } from './viewer';
import type { TraceDocument } from './trace-document';

export interface ViewEnvironment {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdoutIsTty: boolean;
  readonly noColor: boolean;
  readonly logFields: LogFieldNames;
  /** Resolves when the command should stop (the CLI: on SIGINT or SIGTERM). */
  readonly stopped: Promise<unknown>;
}

/** Runs `tracehop view` until `env.stopped` resolves; resolves with the exit status. */
export async function runView(argv: readonly string[], env: ViewEnvironment): Promise<number> {
  const parsed = parseViewArgs(argv);
  if (parsed.kind !== 'run') return answerHelpOrError(parsed, 'view', USAGE, env);
  const options = parsed.options;
  const colour = env.stdoutIsTty && !env.noColor ? ANSI_COLOUR : NO_COLOUR;
  const print = (doc: TraceDocument): void => env.stdout(options.json ? `${JSON.stringify(doc)}\n` : `${formatTrace(doc, colour, env.logFields)}\n`);
  const printLate = (doc: LateLogDocument): void => env.stdout(options.json ? `${JSON.stringify(doc)}\n` : `${formatLateLog(doc, colour, env.logFields)}\n`);
  let viewer;
  try {
    viewer = await startViewer({
      ...options,
      onTrace: print,
      onLateLog: printLate,
      onNotice: line => env.stderr(`tracehop view: ${line}\n`),
      logFields: env.logFields,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${options.host}:${options.port}`;
    env.stderr(
      code === 'EADDRINUSE'
        ? `tracehop view: ${where} is already in use (a collector or another viewer?); choose another with --port\n`
        : `tracehop view: cannot listen on ${where}: ${code ?? (error instanceof Error ? error.message : String(error))}\n`,
    );
    return 1;
  }
  env.stderr(
    `tracehop view: receiving OTLP/HTTP traces (protobuf and JSON) on ${viewer.url}${'/v1/traces'}; a trace prints ${options.quietMs} ms after its last span or log line\n`,
  );
  const followers = options.logFiles.map(file =>
    followFile(
      file,
      line => viewer.addLogLine(line),
      message => env.stderr(`tracehop view: ${message}\n`),
    ),
  );
  let stdinLines: readline.Interface | undefined;
  if (!env.stdin.isTTY) {
    stdinLines = readline.createInterface({ input: env.stdin, crlfDelay: Infinity });
    stdinLines.on('line', line => viewer.addLogLine(line));
  }
  await env.stopped;
  stdinLines?.close();
  await Promise.all(followers.map(follower => follower.stop()));
  await viewer.close();
  const { traces, spans } = viewer.evicted;
  if (traces > 0 || spans > 0 || viewer.droppedLogs > 0) {
    env.stderr(`tracehop view: evicted over the caps: ${traces} trace(s), ${spans} span(s), ${viewer.droppedLogs} log record(s)\n`);
  }
  return 0;
}
