/**
 * tracehop's voice: a diag component logger, rate-limited warnings, and the
 * stderr sink that `register` installs. Library code never writes to stdout.
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';

/**
 * The diag logger every tracehop module reports through: the global one, so
 * the user's OTEL_LOG_LEVEL governs it. The sink below prefixes each line
 * with `tracehop`; upstream components add their own package name.
 */
export const tracehopDiag: DiagLogger = diag;

/** How often one kind of problem may be reported: once a minute. */
export const REPORT_INTERVAL_MS = 60_000;

/**
 * Reports each kind of problem at most once per interval, and says how many
 * were held back when it next speaks. Kinds are a small fixed set chosen by
 * the caller (never taken from input), so the map stays small.
 */
export class RateLimitedReporter {
  private readonly lastReport = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: DiagLogger = tracehopDiag,
    private readonly intervalMs: number = REPORT_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reports `message` as a warning unless `kind` was reported less than an interval ago. */
  warn(kind: string, message: string): void {
    this.report(kind, message, 'warn');
  }

  /** Reports `message` as an error unless `kind` was reported less than an interval ago. */
  error(kind: string, message: string): void {
    this.report(kind, message, 'error');
  }

  private report(kind: string, message: string, level: 'warn' | 'error'): void {
    const time = this.now();
    const last = this.lastReport.get(kind);
    if (last !== undefined && time - last.at < this.intervalMs) {
      last.suppressed++;
      return;
    }
    const held = last?.suppressed ? ` (${last.suppressed} more since the last report)` : '';
    this.lastReport.set(kind, { at: time, suppressed: 0 });
    this.logger[level](`${message}${held}`);
  }
}

/** The process-wide reporter for problems found while serving requests. */
export const reporter = new RateLimitedReporter();

/** How many `quietly` calls are running: a synchronous scope, so a count is all it needs. */
let quietDepth = 0;

/**
 * Runs `build` with tracehop's logger silent. For OpenTelemetry code that
 * tracehop runs after start-up and that warns about the environment as it is
 * built (the OTLP exporter's parts, built at the first export): those values
 * were read and reported once by tracehop's configuration, and start-up
 * builds such parts with diag switched off. A logger the app installed
 * instead of tracehop's is left as it is, and hears them.
 */
export function quietly<T>(build: () => T): T {
  quietDepth++;
  try {
    return build();
  } finally {
    quietDepth--;
  }
}

/**
 * A diag logger that writes one line per message to stderr, prefixed, so that
 * tracehop's own reports never mix with an app's stdout logs.
 *
 * Warnings and errors are throttled here too: the same message (digits
 * aside) is written at most once per interval. tracehop's own reports are
 * already rate-limited by kind; this also holds upstream components that
 * warn once per batch (a collector answering "partial success" to every
 * export would otherwise write a line per batch).
 */
export class StderrDiagLogger implements DiagLogger {
  private readonly lastWritten = new Map<string, number>();

  constructor(
    private readonly write: (line: string) => void = line => process.stderr.write(line),
    private readonly intervalMs: number = REPORT_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  error(message: string, ...args: unknown[]): void {
    this.emit('error', message, args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.emit('warn', message, args);
  }
  info(message: string, ...args: unknown[]): void {
    this.emit('info', message, args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.emit('debug', message, args);
  }
  verbose(message: string, ...args: unknown[]): void {
    this.emit('verbose', message, args);
  }

  private emit(level: string, message: string, args: unknown[]): void {
    if (quietDepth > 0) return;
    const extra = args.length === 0 ? '' : ' ' + args.map(formatArg).join(' ');
    const text = `${message}${extra}`.replace(/[\r\n]+/g, ' ');
    if ((level === 'warn' || level === 'error') && this.throttled(`${level} ${text}`)) return;
    this.write(`tracehop ${level}: ${text}\n`);
  }

  private throttled(text: string): boolean {
    const key = text.replace(/\d+/g, '#').slice(0, MAX_THROTTLE_KEY);
    const time = this.now();
    const last = this.lastWritten.get(key);
    if (last !== undefined && time - last < this.intervalMs) return true;
    // Keys come from a small set of messages; the bound only guards against a flood of distinct ones.
    if (this.lastWritten.size >= MAX_THROTTLE_KEYS) this.lastWritten.clear();
    this.lastWritten.set(key, time);
    return false;
  }
}

const MAX_THROTTLE_KEY = 160;
const MAX_THROTTLE_KEYS = 256;

function formatArg(arg: unknown): string {
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  if (typeof arg === 'string') return arg;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    // A value JSON cannot hold (a BigInt, a cycle) is still written, as String gives it.
    return String(arg);
  }
}

/** Parses an OTEL_LOG_LEVEL value; `undefined` when it is not one of the specification's names. */
export function parseDiagLogLevel(value: string): DiagLogLevel | undefined {
  switch (value.trim().toUpperCase()) {
    case 'NONE':
      return DiagLogLevel.NONE;
    case 'ERROR':
      return DiagLogLevel.ERROR;
    case 'WARN':
      return DiagLogLevel.WARN;
    case 'INFO':
      return DiagLogLevel.INFO;
    case 'DEBUG':
      return DiagLogLevel.DEBUG;
    case 'VERBOSE':
      return DiagLogLevel.VERBOSE;
    case 'ALL':
      return DiagLogLevel.ALL;
    default:
      return undefined;
  }
}
