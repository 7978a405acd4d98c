/**
 * The watch that registers the ESM loader hook when a CommonJS app first
 * requires an ES module: which files are ES modules by Node's rules (a
 * table), the package type lookup, and the wrapped extension handlers.
 */
import { packageTypeLookup, registerWhenEsModuleRequired, requiresAsEsModule } from '../../src/esm-on-require';
import type { PackageType } from '../../src/esm-on-require';

/** A file system of package.json files, counting reads. */
function packages(files: Record<string, string>): { readFile: (file: string) => string | undefined; reads: string[] } {
  const reads: string[] = [];
  return { reads, readFile: file => { reads.push(file); return files[file]; } };
}

describe('requiresAsEsModule', () => {
  const types: Record<string, PackageType> = { '/app/node_modules/esm-only': 'module', '/app/node_modules/cjs': 'commonjs', '/app/node_modules/typeless': 'none' };
  const typeOf = (file: string): PackageType => types[file.slice(0, file.lastIndexOf('/'))] ?? 'none';
  test.each([
    ['a .mjs file, whatever its package', '/app/node_modules/cjs/index.mjs', true],
    ['a .js file in a "type": "module" package', '/app/node_modules/esm-only/index.js', true],
    ['a .js file in a "type": "commonjs" package', '/app/node_modules/cjs/index.js', false],
    ['a .js file in a package with no type', '/app/node_modules/typeless/index.js', false],
    ['a .cjs file in a "type": "module" package', '/app/node_modules/esm-only/index.cjs', false],
    ['a .json file', '/app/node_modules/esm-only/data.json', false],
    ['a .ts file (a compiler hook of the app)', '/app/node_modules/esm-only/index.ts', false],
  ])('%s -> %s', (_title, file, expected) => {
    expect(requiresAsEsModule(file, typeOf)).toBe(expected);
  });
});

describe('packageTypeLookup', () => {
  test.each<[string, Record<string, string>, string, PackageType]>([
    ['the nearest package.json decides', { '/app/node_modules/a/package.json': '{"type":"module"}', '/app/package.json': '{"type":"commonjs"}' }, '/app/node_modules/a/dist/index.js', 'module'],
    ['a nearer package.json without a type is CommonJS, whatever is above it', { '/app/node_modules/a/dist/package.json': '{}', '/app/node_modules/a/package.json': '{"type":"module"}' }, '/app/node_modules/a/dist/index.js', 'none'],
    ['"type": "commonjs"', { '/app/package.json': '{"type":"commonjs"}' }, '/app/src/index.js', 'commonjs'],
    ['the search stops at node_modules, as Node\'s does', { '/app/package.json': '{"type":"module"}' }, '/app/node_modules/loose.js', 'none'],
    ['no package.json up to the root', {}, '/srv/tool.js', 'none'],
    ['an unreadable package.json is no type', { '/app/package.json': '{not json' }, '/app/index.js', 'none'],
    ['an unknown type is no type', { '/app/package.json': '{"type":"wasm"}' }, '/app/index.js', 'none'],
  ])('%s', (_title, files, file, expected) => {
    expect(packageTypeLookup(packages(files).readFile)(file)).toBe(expected);
  });

  test('each directory is looked at once, for every file under it', () => {
    const fs = packages({ '/app/node_modules/a/package.json': '{"type":"module"}' });
    const typeOf = packageTypeLookup(fs.readFile);
    expect(typeOf('/app/node_modules/a/dist/x.js')).toBe('module');
    const readsAfterFirst = fs.reads.length;
    expect(typeOf('/app/node_modules/a/dist/y.js')).toBe('module');
    expect(typeOf('/app/node_modules/a/z.js')).toBe('module');
    expect(fs.reads.length).toBe(readsAfterFirst);
  });
});

describe('registerWhenEsModuleRequired', () => {
  function extensions() {
    const loaded: string[] = [];
    const handler = (_module: unknown, filename: string) => { loaded.push(filename); return filename; };
    return { loaded, table: { '.js': handler, '.mjs': handler, '.json': handler } as Record<string, ((module: unknown, filename: string) => unknown) | undefined> };
  }
  const typeOf = (file: string): PackageType => (file.includes('/esm-only/') ? 'module' : 'none');

  test('registers once, just before the first ES module loads, then passes every file on', () => {
    const { loaded, table } = extensions();
    const events: string[] = [];
    registerWhenEsModuleRequired(file => events.push(`register ${file} after ${loaded.length} loads`), typeOf, table);
    table['.js']!({}, '/app/index.js');
    table['.js']!({}, '/app/node_modules/esm-only/index.js');
    table['.mjs']!({}, '/app/node_modules/other/index.mjs');
    expect(events).toEqual(['register /app/node_modules/esm-only/index.js after 1 loads']);
    expect(loaded).toEqual(['/app/index.js', '/app/node_modules/esm-only/index.js', '/app/node_modules/other/index.mjs']);
  });

  test('a .mjs file registers too; .json and other extensions are left alone', () => {
    const { table } = extensions();
    const json = table['.json'];
    const registered: string[] = [];
    registerWhenEsModuleRequired(file => registered.push(file), typeOf, table);
    table['.mjs']!({}, '/app/lib/tool.mjs');
    expect(registered).toEqual(['/app/lib/tool.mjs']);
    expect(table['.json']).toBe(json);
  });

  test('a CommonJS app that never requires an ES module never registers', () => {
    const { table } = extensions();
    const register = jest.fn();
    registerWhenEsModuleRequired(register, typeOf, table);
    for (const file of ['/app/a.js', '/app/node_modules/x/index.js', '/app/b.cjs']) table['.js']!({}, file);
    expect(register).not.toHaveBeenCalled();
  });

  test('a failing registration or lookup never breaks the app\'s require', () => {
    const { loaded, table } = extensions();
    registerWhenEsModuleRequired(() => { throw new Error('no hooks here'); }, () => { throw new Error('unreadable'); }, table);
    expect(table['.js']!({}, '/app/node_modules/esm-only/index.js')).toBe('/app/node_modules/esm-only/index.js');
    expect(loaded).toEqual(['/app/node_modules/esm-only/index.js']);
  });
});
