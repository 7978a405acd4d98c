/**
 * Pass 1 of `tracehop tree` only counts each request's lines. This scanner
 * reads a chunk of lines in place and gives most lines' request id without
 * parsing them. Pure: text in, one call per line out.
 *
 * A line's id is read from its text only when the text settles it: one
 * object with no object inside it, no backslash anywhere (so every quote
 * delimits a string and every key is written as it reads), and the request
 * id field once, with a non-empty string value. Then, if the line is JSON at
 * all, parseLogLine gives the same id (the field wins over the chain).
 * Any other line is handed over whole, to be parsed. A line that looks
 * settled but is not JSON is counted for a request it will not join in pass
 * 2: that request is then held to the end, its tree still whole.
 */

/**
 * Calls `visit` once per non-empty line of `text` (lines end with `\n` or
 * `\r\n`, the last perhaps with neither): with the request id when the text
 * settles it, else with undefined and the line, to be parsed.
 */
export function scanRequestIds(text: string, requestIdField: string, visit: (requestId: string | undefined, line: string | undefined) => void): void {
  const key = `"${requestIdField}":`;
  // Where the next `{`, `\` and key are, from where the last search began: each search runs over the text once, not once per line.
  let brace = -1;
  let backslash = -1;
  let found = -1;
  const nextOf = (cached: number, needle: string, from: number): number => {
    if (cached >= from || cached === Infinity) return cached;
    const at = text.indexOf(needle, from);
    return at < 0 ? Infinity : at;
  };
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const next = end + 1;
    if (end > start && text.charCodeAt(end - 1) === 13 /* \r */) end--;
    if (end > start) {
      const id = settledId(start, end);
      if (id !== undefined) visit(id, undefined);
      else visit(undefined, text.slice(start, end));
    }
    start = next;
  }

  function settledId(start: number, end: number): string | undefined {
    brace = nextOf(brace, '{', start);
    if (brace >= end) return undefined;
    const open = brace;
    brace = nextOf(brace, '{', open + 1);
    if (brace < end) return undefined;
    backslash = nextOf(backslash, '\\', start);
    if (backslash < end) return undefined;
    found = nextOf(found, key, open);
    if (found >= end) return undefined;
    const at = found;
    found = nextOf(found, key, at + key.length);
    if (found < end) return undefined;
    const valueStart = at + key.length;
    if (text.charCodeAt(valueStart) !== 34 /* " */) return undefined;
    const valueEnd = text.indexOf('"', valueStart + 1);
    return valueEnd > valueStart + 1 && valueEnd < end ? text.slice(valueStart + 1, valueEnd) : undefined;
  }
}
