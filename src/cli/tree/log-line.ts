/**
 * One pino line, read for `tracehop tree`. Pure: text in, the few fields the
 * tree needs out, or the reason the line is skipped.
 */
import type { LogFieldNames } from '../../config';
import { readPinoRecord } from '../pino-line';

/** What the tree keeps of a line: enough to print it, not the whole record. */
export interface TreeLine {
  readonly requestId: string;
  /** The request chain's elements, root first. `[requestId]` when the line had none. */
  readonly chain: readonly string[];
  /** The record's `service` or `name` field, else the name of the file it came from. */
  readonly service: string;
  /** Epoch milliseconds (pino's default `time`, or an ISO date string), NaN when absent. */
  readonly time: number;
  readonly level: number | string | undefined;
  readonly msg: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  /** Order of arrival, so lines with equal times keep their order in the file. */
  readonly seq: number;
}

export type LineResult = { readonly kind: 'line'; readonly line: TreeLine } | { readonly kind: 'not-json' } | { readonly kind: 'no-request-id' };

const NOT_JSON: LineResult = { kind: 'not-json' };
const NO_REQUEST_ID: LineResult = { kind: 'no-request-id' };

/**
 * Reads one line. `fields` are the log field names (TRACEHOP_LOG_FIELDS), so
 * logs written with renamed fields are read under those names.
 */
export function parseLogLine(text: string, fields: LogFieldNames, fallbackService: string, seq: number): LineResult {
  const r = readPinoRecord(text);
  if (r === null) return NOT_JSON;
  const chain = parseChain(r[fields.requestChain]);
  const requestId = nonEmptyString(r[fields.requestId]) ?? chain?.[0];
  if (requestId === undefined) return NO_REQUEST_ID;
  return {
    kind: 'line',
    line: {
      requestId,
      // A chain whose root is another id is not this request's: trust the chain's own root only when it agrees.
      chain: chain !== undefined && chain[0] === requestId ? chain : [requestId],
      service: nonEmptyString(r.service) ?? nonEmptyString(r.name) ?? fallbackService,
      time: parseTime(r.time),
      level: typeof r.level === 'number' || typeof r.level === 'string' ? r.level : undefined,
      msg: nonEmptyString(r.msg),
      method: nonEmptyString(r.method) ?? nonEmptyString((r.req as Record<string, unknown> | undefined)?.method),
      path: nonEmptyString(r.path) ?? nonEmptyString((r.req as Record<string, unknown> | undefined)?.url),
      seq,
    },
  };
}

/** `root,hop,hop` into its elements; undefined when absent or empty. */
export function parseChain(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const elements = value.split(',');
  // The chain as tracehop writes it has no spaces and no empty element: then the split is the answer.
  if (elements.every(isCleanElement)) return elements;
  const cleaned = elements.map(element => element.trim()).filter(element => element.length > 0);
  return cleaned.length > 0 ? cleaned : undefined;
}

function isCleanElement(element: string): boolean {
  return element.length > 0 && element.charCodeAt(0) > 32 && element.charCodeAt(element.length - 1) > 32;
}

function parseTime(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Date.parse(value);
  return Number.NaN;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
