/**
 * Request-id header parsing. Pure: a header value in, a parsed id or `null` out.
 *
 * An acceptable element is 1 to 128 characters of visible ASCII (0x21-0x7E)
 * other than the comma. A header may hold a single id (`abc`) or the chain
 * form `root,hop,hop` that tracehop services pass along; the first element
 * is the request id. Anything else is treated as absent.
 */

/** The longest acceptable request id or chain element. */
export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * The longest header value that is parsed at all. A chain that long holds far
 * more hops than any tracehop service keeps (see `MAX_CHAIN_HOPS`), so longer
 * values are rejected without being scanned.
 */
export const MAX_REQUEST_ID_HEADER_LENGTH = 4096;

const COMMA = 0x2c;
const FIRST_VISIBLE = 0x21;
const LAST_VISIBLE = 0x7e;

/** A request id read from a header, with the chain of hops that came with it. */
export interface ParsedRequestId {
  /** The request id: the chain's root. */
  readonly id: string;
  /** Every element of the incoming chain, the root first. A single id is a chain of one. */
  readonly chain: readonly string[];
}

/** True when `value` is one acceptable request id or chain element. */
export function isAcceptableId(value: string): boolean {
  const length = value.length;
  if (length === 0 || length > MAX_REQUEST_ID_LENGTH) return false;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code < FIRST_VISIBLE || code > LAST_VISIBLE || code === COMMA) return false;
  }
  return true;
}

/**
 * Parses a request-id header value: a single id, or the chain form
 * `root,hop,...`. Returns `null` when the value is absent or any element is
 * unacceptable; the caller must then behave as if the header were missing.
 */
export function parseRequestId(value: string | string[] | undefined): ParsedRequestId | null {
  // Node joins repeated unknown headers with ", ", which fails validation
  // below; an array only reaches us from a hand-made carrier.
  if (typeof value !== 'string') return null;
  if (value.length === 0 || value.length > MAX_REQUEST_ID_HEADER_LENGTH) return null;
  if (value.indexOf(',') === -1) {
    return isAcceptableId(value) ? { id: value, chain: [value] } : null;
  }
  const chain = value.split(',');
  for (const element of chain) {
    if (!isAcceptableId(element)) return null;
  }
  return { id: chain[0], chain };
}

/**
 * Says why a header value was rejected, without repeating the value itself
 * (it may hold a forged log line or a secret). Only called on the error path.
 */
export function describeRejectedRequestId(value: string | string[] | undefined): string {
  if (Array.isArray(value)) return 'the header was repeated';
  if (value === undefined) return 'the header was empty';
  if (value.length === 0) return 'the value was empty';
  if (value.length > MAX_REQUEST_ID_HEADER_LENGTH) {
    return `the value was ${value.length} characters long (at most ${MAX_REQUEST_ID_HEADER_LENGTH})`;
  }
  for (const element of value.split(',')) {
    if (element.length === 0) return 'the chain held an empty element';
    if (element.length > MAX_REQUEST_ID_LENGTH) {
      return `an element was ${element.length} characters long (at most ${MAX_REQUEST_ID_LENGTH})`;
    }
    for (let i = 0; i < element.length; i++) {
      const code = element.charCodeAt(i);
      if (code === 0x0d || code === 0x0a) return 'the value held CR or LF';
      if (code === 0x20 || code === 0x09) return 'the value held white space';
      if (code < FIRST_VISIBLE || code === 0x7f) return 'the value held control characters';
      if (code > LAST_VISIBLE) return 'the value held non-ASCII characters';
    }
  }
  return 'the value was not an acceptable request id';
}
