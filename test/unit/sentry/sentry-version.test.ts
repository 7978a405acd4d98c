import { sentryLoadedFirstWarning, sentrySupport } from '../../../src/sentry';

test.each<[string | undefined, string]>([
  ['11.12.0', 'hooked'],
  ['11.0.0-beta.1', 'hooked'],
  ['10.32.1', 'upgrade'],
  ['8.0.0', 'upgrade'],
  ['7.120.0', 'upgrade'],
  ['12.0.0', 'newer'],
  ['not a version', 'unknown'],
  [undefined, 'unknown'],
])('@sentry/core %s: %s', (version, expected) => {
  expect(sentrySupport(version)).toBe(expected);
});

describe('sentryLoadedFirstWarning', () => {
  test.each<[string, unknown, RegExp | undefined]>([
    ['no carrier: Sentry not loaded yet', undefined, undefined],
    [
      'a carrier of Sentry 11: one line naming it and the order to use',
      { version: '11.12.0' },
      /^Sentry 11\.12\.0 was loaded before tracehop started.*--import tracehop\/register --import \.\/instrument\.mjs/,
    ],
    ['Sentry 10, which would not be hooked anyway (the doctor says so)', { version: '10.32.1' }, undefined],
    ['a carrier without a version', {}, undefined],
    ['a carrier that is not an object', 'x', undefined],
    ['null', null, undefined],
  ])('%s', (_title, carrier, expected) => {
    const warning = sentryLoadedFirstWarning(carrier);
    if (expected === undefined) expect(warning).toBeUndefined();
    else expect(warning).toMatch(expected);
  });
});
