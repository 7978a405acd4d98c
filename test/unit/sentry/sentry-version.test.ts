import { sentrySupport } from '../../../src/sentry';

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
