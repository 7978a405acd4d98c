import { printable } from '../../../src/cli/printable';

describe('printable', () => {
  const table: Array<[string, string, string]> = [
    ['plain text is left as it is', 'card cancelled', 'card cancelled'],
    ['non-ASCII letters and emoji are left as they are', 'Zürich ✓ 🚀 カード', 'Zürich ✓ 🚀 カード'],
    ['an SGR colour sequence shows its escape', '\u001b[31mred', '\\x1b[31mred'],
    ['a terminal title (OSC) sequence with BEL', '\u001b]0;owned\u0007', '\\x1b]0;owned\\x07'],
    ['a clear-screen sequence', '\u001b[2J\u001b[H', '\\x1b[2J\\x1b[H'],
    ['carriage return, newline and tab', 'a\rb\nc\td', 'a\\x0db\\x0ac\\x09d'],
    ['NUL and DEL', 'a\u0000b\u007f', 'a\\x00b\\x7f'],
    ['a C1 control (CSI as one character)', 'x\u009b31m', 'x\\x9b31m'],
    ['a right-to-left override', 'user\u202egnp.exe', 'user\\u202egnp.exe'],
    ['a bidirectional isolate', '\u2066x\u2069', '\\u2066x\\u2069'],
    ['the empty string', '', ''],
  ];
  test.each(table)('%s', (_title, input, expected) => {
    expect(printable(input)).toBe(expected);
  });

  test('twice in a row gives the same answer (no regex state carried between calls)', () => {
    expect(printable('\u001b[1m')).toBe('\\x1b[1m');
    expect(printable('\u001b[1m')).toBe('\\x1b[1m');
  });
});
