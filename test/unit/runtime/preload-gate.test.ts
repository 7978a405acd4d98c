import { MINIMUM_NODE, loadFailureMessage, unsupportedNodeMessage } from '../../../src/runtime/preload-gate';

describe('the preload gate', () => {
  test.each<[string, boolean]>([
    ['20.20.2', false],
    ['22.14.0', false],
    ['22.14.99', false],
    ['21.99.0', false],
    ['18.20.8', false],
    ['22.15.0', true],
    ['22.15.1', true],
    ['22.23.5', true],
    ['23.0.0', true],
    ['24.22.3', true],
    ['26.12.1', true],
    ['27.0.0-nightly20270101', true],
  ])('Node %s supported: %s', (version, supported) => {
    const message = unsupportedNodeMessage(version);
    if (supported) {
      expect(message).toBeUndefined();
    } else {
      expect(message).toBe(
        `tracehop error: Node.js ${version} is not supported (${MINIMUM_NODE.join('.')} or later is): tracing is off, the app runs untraced\n`,
      );
    }
  });

  test('a version it cannot read is let through: the SDK then decides', () => {
    expect(unsupportedNodeMessage('not-a-version')).toBeUndefined();
  });

  test.each<[string, unknown, string]>([
    ['an Error', new Error("Cannot find module 'x'"), "tracehop error: start-up failed, tracing is off: Cannot find module 'x'\n"],
    ['a thrown string', 'gone', 'tracehop error: start-up failed, tracing is off: gone\n'],
    ['a message with line breaks, kept on one line', new Error('a\r\nb\nc'), 'tracehop error: start-up failed, tracing is off: a b c\n'],
  ])('a load failure from %s is one line', (_title, error, line) => {
    expect(loadFailureMessage(error)).toBe(line);
  });
});
