/**
 * Text from logs and spans made safe to print on a terminal. `tracehop view`
 * and `tracehop tree` print what any app wrote: a log message or span name
 * holding an escape sequence could recolour, move the cursor in, retitle or
 * clear the user's terminal, and bidirectional controls could make a line
 * read other than it is. Pure: each such character becomes a visible escape
 * (`\x1b`, `\u202e`); everything else is left as it is.
 */

// C0 controls (tab and newline included: one record is one row), DEL, C1
// controls, and the bidirectional embedding, override and isolate controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  UNPRINTABLE.lastIndex = 0;
  if (!UNPRINTABLE.test(text)) return text;
  return text.replace(UNPRINTABLE, char => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
