/**
 * pino records at or above a chosen level (TRACEHOP_LOG_SPAN_EVENTS, `error`
 * by default) become events on the span active where they were written, so
 * a trace viewer shows the error under the span that logged it: the level,
 * the message, and `exception.type`, `exception.message` and
 * `exception.stacktrace` (OpenTelemetry semantic conventions) when the
 * record has an `err`.
 *
 * It reads the finished line in the streamWrite splice (pino-line.ts). A
 * line below the level costs the level check alone: pino writes `level`
 * first (`{"level":30,...`), read from the string without parsing it; only
 * a line at the level is parsed. A line whose level is not first (a custom
 * `formatters.level` may move or rename it) is left alone.
 */
import { context, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';

/** pino's level labels and numbers. */
export const PINO_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogSpanEventLevel = keyof typeof PINO_LEVELS | 'none';

const LEVEL_PREFIX = '{"level":';
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const QUOTE = 0x22;

/** TRACEHOP_LOG_SPAN_EVENTS as the lowest level number recorded; above every level when off. */
export function logSpanEventLevel(level: LogSpanEventLevel): number {
  return level === 'none' ? Number.POSITIVE_INFINITY : PINO_LEVELS[level];
}

/** Adds `line` as an event on the active span when its level is at or above `threshold` (`logSpanEventLevel`). */
export function recordLogSpanEvent(line: string, threshold: number): void {
  if (lineLevel(line) < threshold) return;
  try {
    const span = trace.getSpan(context.active());
    if (span === undefined || !span.isRecording()) return;
    span.addEvent('log', eventAttributes(JSON.parse(line) as Record<string, unknown>));
  } catch {
    // A line that is not JSON (a custom serializer) records nothing.
  }
}

/** The level at the start of a pino line, numeric or as a label; 0 when it is not there. */
export function lineLevel(line: string): number {
  if (!line.startsWith(LEVEL_PREFIX)) return 0;
  let i = LEVEL_PREFIX.length;
  if (line.charCodeAt(i) === QUOTE) {
    const end = line.indexOf('"', i + 1);
    const label = end === -1 ? '' : line.slice(i + 1, end);
    return Object.prototype.hasOwnProperty.call(PINO_LEVELS, label) ? PINO_LEVELS[label as keyof typeof PINO_LEVELS] : 0;
  }
  let level = 0;
  for (let code = line.charCodeAt(i); code >= DIGIT_0 && code <= DIGIT_9; code = line.charCodeAt(++i)) level = level * 10 + code - DIGIT_0;
  return level;
}

/** The event's attributes from a parsed record. Pure. */
export function eventAttributes(record: Record<string, unknown>): Attributes {
  const level = record.level;
  const attributes: Attributes = { 'log.severity': typeof level === 'number' ? labelOf(level) : String(level) };
  if (typeof record.msg === 'string') attributes['log.message'] = record.msg;
  const err = record.err as { type?: unknown; message?: unknown; stack?: unknown } | null | undefined;
  if (err !== null && typeof err === 'object') {
    if (typeof err.type === 'string') attributes['exception.type'] = err.type;
    if (typeof err.message === 'string') attributes['exception.message'] = err.message;
    if (typeof err.stack === 'string') attributes['exception.stacktrace'] = err.stack;
  }
  return attributes;
}

function labelOf(level: number): string {
  for (const [label, value] of Object.entries(PINO_LEVELS)) if (value === level) return label;
  return String(level);
}
