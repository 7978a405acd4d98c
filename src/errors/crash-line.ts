/**
 * The stderr line for a crash, in pino's shape (level 60 is pino's `fatal`),
 * so that a log search for the request id finds the crash next to the
 * request's other lines. Pure: the error, the ids and the process facts in,
 * one line of JSON out.
 */

export interface CrashIds {
  readonly traceId?: string;
  readonly spanId?: string;
  readonly requestId?: string;
  readonly requestChain?: string;
}

export interface CrashFacts {
  readonly time: number;
  readonly pid: number;
  readonly hostname: string;
  /** `uncaughtException` or `unhandledRejection`. */
  readonly origin: string;
}

/** pino's numeric level for `fatal`. */
export const FATAL_LEVEL = 60;

/** `err` as pino's standard error serializer writes it: type, message, stack. */
export function describeError(error: unknown): { type: string; message: string; stack?: string } {
  if (error instanceof Error)
    return {
      type: error.constructor?.name || error.name || 'Error',
      message: String(error.message),
      stack: typeof error.stack === 'string' ? error.stack : undefined,
    };
  return { type: typeof error, message: safeString(error) };
}

/** One JSON line, newline included; the correlation field names are the configured ones. */
export function crashLine(
  error: unknown,
  ids: CrashIds,
  facts: CrashFacts,
  names: { traceId: string; spanId: string; requestId: string; requestChain: string },
): string {
  const record: Record<string, unknown> = { level: FATAL_LEVEL, time: facts.time, pid: facts.pid, hostname: facts.hostname };
  if (ids.traceId !== undefined) record[names.traceId] = ids.traceId;
  if (ids.spanId !== undefined) record[names.spanId] = ids.spanId;
  if (ids.requestId !== undefined) record[names.requestId] = ids.requestId;
  if (ids.requestChain !== undefined) record[names.requestChain] = ids.requestChain;
  record.err = describeError(error);
  record.msg = `${facts.origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception'}: ${describeError(error).message}`;
  return `${JSON.stringify(record)}\n`;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    // A value whose toString throws: the crash line still says what it can.
    return 'unprintable value';
  }
}
