/**
 * Correlation fields spliced into a finished pino line, through pino's
 * `hooks.streamWrite` option, which receives each line as a string just
 * before it is written.
 *
 * Through a mixin, pino serializes our five string fields on every call,
 * which costs about as much again as the rest of a small log call; spliced,
 * they are serialized once per span (log-fields.ts) and a call pays for one
 * string concatenation. The fields go first in the record, right after `{`:
 * the one position that is a member boundary whatever the logger's
 * formatters, so the line stays valid JSON. On a name clash with the app's
 * own fields the record holds both, ours first; JSON parsers keep the last
 * member of a name, so the app's value wins, as with a mixin.
 *
 * The same hook turns records at TRACEHOP_LOG_SPAN_EVENTS and above into
 * span events (log-span-events.ts).
 */
import type { LogFieldReaders } from '../core/shared-state';
import { versionAtLeast } from '../core/version-at-least';
import { recordLogSpanEvent } from './log-span-events';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

export type StreamWrite = (line: string) => string;

/** What the pino hook is set to, from the runtime: the field names (as readers) and TRACEHOP_LOG_SPAN_EVENTS. */
export interface LogLineSettings {
  readonly fields: LogFieldReaders;
  /** The lowest pino level recorded as a span event (`logSpanEventLevel`). */
  readonly eventLevel: number;
  /** Sees each line before the splice (Sentry's breadcrumbs, src/sentry/); never throws. */
  readonly onLine?: (line: string) => void;
}

/** The splice: a line with the active span's fields as its first members; unchanged outside any span. */
export function logFieldsSplice(settings: LogLineSettings): StreamWrite {
  const {
    fields: { readJson },
    eventLevel,
    onLine,
  } = settings;
  return function spliceLogFields(line: string): string {
    // Before the splice: the level is read from the start of pino's own line (log-span-events.ts).
    if (typeof line === 'string') {
      recordLogSpanEvent(line, eventLevel);
      onLine?.(line);
    }
    const fields = readJson();
    if (fields === '' || typeof line !== 'string' || line.charCodeAt(0) !== OPEN_BRACE) return line;
    // `{}` (every field formatted away) takes no separating comma.
    return line.charCodeAt(1) === CLOSE_BRACE ? `{${fields}${line.slice(1)}` : `{${fields},${line.slice(1)}`;
  };
}

/** Our splice, then the app's own `streamWrite` hook, if it has one, on the result. */
export function withSplice(splice: StreamWrite, theirs: unknown): StreamWrite {
  if (typeof theirs !== 'function') return splice;
  const appHook = theirs as StreamWrite;
  return line => appHook(splice(line));
}

/** The first pino with the `hooks.streamWrite` option: 9.6.0 (pinojs/pino#2105). */
const STREAM_WRITE_SINCE = [9, 6] as const;

/**
 * Whether a pino of this version calls `hooks.streamWrite`, from its
 * documented `pino.version`; `false` (the hook falls back to a mixin, which
 * adds the same fields) for an older pino or a version it cannot read.
 *
 * Read from the version rather than tried on a throwaway logger: pino 9.10
 * and later publish every line on the `pino_asJson` tracing channel, and a
 * line written to find out would reach the channel's subscribers (Sentry's
 * pino integration sends each as a Sentry log) as if the app had written it.
 */
export function callsStreamWrite(version: unknown): boolean {
  return versionAtLeast(version, STREAM_WRITE_SINCE);
}
