import { compileCacheSetting } from '../../../src/config/compile-cache';
import type { CompileCacheSetting } from '../../../src/config/compile-cache';
import { parseConfig } from '../../../src/config';

const app = { entryScript: undefined, readFile: () => undefined };

describe('TRACEHOP_COMPILE_CACHE', () => {
  test.each<[string, string | undefined, CompileCacheSetting | null]>([
    ['unset is off', undefined, { cache: false }],
    ['empty is off', '  ', { cache: false }],
    ['false is off', 'FALSE', { cache: false }],
    ["true is on, in Node's own directory", ' true ', { cache: true, directory: undefined }],
    ['an absolute path is on, in that directory', '/var/cache/app-compile', { cache: true, directory: '/var/cache/app-compile' }],
    ['a relative path is refused', 'cache', null],
    ['a yes is refused', 'yes', null],
  ])('compileCacheSetting: %s', (_title, value, expected) => {
    expect(compileCacheSetting(value)).toEqual(expected);
  });

  test('the Config is off by default, and says nothing', () => {
    const { config, warnings } = parseConfig({}, app);
    expect(config.compileCache).toEqual({ cache: false });
    expect(warnings).toEqual([]);
  });

  test('a refused value is one warning naming the variable, and the cache stays off', () => {
    const { config, warnings } = parseConfig({ TRACEHOP_COMPILE_CACHE: 'cache' }, app);
    expect(config.compileCache).toEqual({ cache: false });
    expect(warnings).toEqual(['TRACEHOP_COMPILE_CACHE="cache" is not true, false or an absolute directory; using false']);
  });
});
