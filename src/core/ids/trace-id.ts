/**
 * Request id -> trace id mapping. Pure, and the same in every language:
 *
 * - a UUID in any case, with or without dashes, or 32 hex digits, is the
 *   trace id as lowercase hex;
 * - any other acceptable id (the all-zero id included, which W3C Trace
 *   Context forbids as a trace id) maps to the first 32 hex digits of the
 *   SHA-256 of its UTF-8 bytes.
 */
import { createHash } from 'node:crypto';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX32 = /^[0-9a-fA-F]{32}$/;
const UPPER_HEX = /[A-F]/;
const ALL_ZERO_TRACE_ID = '00000000000000000000000000000000';
const TRACE_ID_HEX_LENGTH = 32;

/** The trace id (32 lowercase hex digits) that every tracehop service derives from `requestId`. */
export function requestIdToTraceId(requestId: string): string {
  const hex = hexDigitsOf(requestId);
  return hex !== undefined && hex !== ALL_ZERO_TRACE_ID ? hex : sha256TraceId(requestId);
}

/** The 32 lowercase hex digits of a UUID or a 32-hex-digit id; undefined for any other id. Runs once per request: no needless copies. */
function hexDigitsOf(id: string): string | undefined {
  let hex: string;
  if (id.length === TRACE_ID_HEX_LENGTH && HEX32.test(id)) hex = id;
  else if (id.length === 36 && UUID.test(id)) hex = id.slice(0, 8) + id.slice(9, 13) + id.slice(14, 18) + id.slice(19, 23) + id.slice(24);
  else return undefined;
  return UPPER_HEX.test(hex) ? hex.toLowerCase() : hex;
}

/**
 * The trace id of a UUID known to be in canonical lowercase form (as the
 * built-in generators make them): its hex digits, without re-checking them.
 * Equal to `requestIdToTraceId` on such a UUID.
 */
export function canonicalUuidToTraceId(uuid: string): string {
  return uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24);
}

/** The first 32 hex digits of SHA-256(`value`): the mapping for ids that are not UUIDs. */
export function sha256TraceId(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, TRACE_ID_HEX_LENGTH);
}

/** Writes a 32-hex-digit trace id as a UUID: 8-4-4-4-12. */
export function traceIdToUuid(traceId: string): string {
  return `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20, 32)}`;
}
