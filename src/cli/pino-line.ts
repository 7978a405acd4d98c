/**
 * One pino line, read the one way `tracehop tree` and `tracehop view` both
 * read it: pino writes one JSON object per line, and whatever else a log
 * holds (a banner, a stack trace, a prefix a process manager added before the
 * object) is noise. Pure: text in, the record or null out; each command then
 * takes the fields it needs from the record.
 */

export type PinoRecord = Record<string, unknown>;

/** pino's numeric levels (pino/lib/constants.js). */
const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** The JSON object a line holds, from its first `{` on; null for a line that holds none. */
export function readPinoRecord(text: string): PinoRecord | null {
  const start = text.indexOf('{');
  if (start < 0) return null;
  let record: unknown;
  try {
    record = JSON.parse(start === 0 ? text : text.slice(start));
  } catch {
    // Not JSON after all: noise, as a line with no `{`; the caller counts it.
    return null;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return null;
  return record as PinoRecord;
}

/** A level as a person reads it: pino's numbers by name, any other value as written, absent as the empty string. */
export function levelName(level: unknown): string {
  if (typeof level === 'number') return LEVEL_NAMES[level] ?? String(level);
  if (typeof level === 'string') return level;
  if (level === undefined || level === null) return '';
  // What JSON.parse gave (an object, an array, a boolean) always stringifies; the fallback is for the type checker.
  return JSON.stringify(level) ?? '';
}
