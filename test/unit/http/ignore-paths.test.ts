import { pathMatcher } from '../../../src/http/ignore-paths';

describe('pathMatcher', () => {
  const matches = pathMatcher(['/healthz', '/internal/*']);
  test.each<[string | undefined, boolean]>([
    ['/healthz', true],
    ['/healthz?probe=1', true],
    ['/healthz/deep', false],
    ['/internal/metrics', true],
    ['/internal/', true],
    ['/internals', false],
    ['/cards/lost_and_stolen/', false],
    [undefined, false],
  ])('%s is ignored: %s', (url, expected) => {
    expect(matches(url)).toBe(expected);
  });

  test('an empty list ignores nothing', () => {
    expect(pathMatcher([])('/healthz')).toBe(false);
  });
});
