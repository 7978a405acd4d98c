import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SYNTAX_CHECK_MAX_BYTES, entryModuleSystem, nearestPackageJson as nodesNearestPackageJson } from '../../../src/introspection/module-system';
import type { EntryModuleSystem } from '../../../src/introspection/module-system';

const files: Record<string, string> = {
  '/srv/esm/package.json': JSON.stringify({ name: 'esm-app', type: 'module' }),
  '/srv/cjs/package.json': JSON.stringify({ name: 'cjs-app', type: 'commonjs' }),
  '/srv/plain/package.json': JSON.stringify({ name: 'plain-app' }),
  '/srv/esm/nested/package.json': JSON.stringify({ name: 'inner' }),
  '/srv/broken/package.json': '{not json',
  '/srv/plain/server.js': "const http = require('node:http');\nhttp.createServer().listen(0);\n",
  '/srv/plain/esm.js': "import http from 'node:http';\nhttp.createServer().listen(0);\n",
  '/elsewhere/app.js': 'export const port = 3000;\n',
  '/elsewhere/bundle.js': `${'// padding\n'.repeat(SYNTAX_CHECK_MAX_BYTES / 11 + 1)}import http from 'node:http';\n`,
};
const readFile = (file: string) => files[file];
/** Node's rule over the table's files: the package.json nearest above. */
function nearestPackageJson(file: string): string | undefined {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (candidate in files) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

describe("entryModuleSystem follows Node's rules", () => {
  test.each<[string, string | undefined, EntryModuleSystem]>([
    ['.mjs is an ES module wherever it is', '/srv/cjs/app.mjs', { system: 'esm', reason: '.mjs extension' }],
    ['.cjs is CommonJS wherever it is', '/srv/esm/app.cjs', { system: 'commonjs', reason: '.cjs extension' }],
    ['.mts is an ES module', '/srv/plain/app.mts', { system: 'esm', reason: '.mts extension' }],
    ['.js under "type": "module"', '/srv/esm/src/app.js', { system: 'esm', reason: '"type": "module" in /srv/esm/package.json' }],
    ['.js under "type": "commonjs"', '/srv/cjs/app.js', { system: 'commonjs', reason: '"type": "commonjs" in /srv/cjs/package.json' }],
    [
      '.ts under a package.json without "type", unreadable',
      '/srv/plain/app.ts',
      { system: 'commonjs', reason: 'no "type": "module" in /srv/plain/package.json; the file could not be read', typeless: true },
    ],
    [
      'CommonJS code under a package.json without "type"',
      '/srv/plain/server.js',
      { system: 'commonjs', reason: 'no "type": "module" in /srv/plain/package.json', typeless: true },
    ],
    [
      'ES module code under a package.json without "type" (module syntax detection)',
      '/srv/plain/esm.js',
      { system: 'esm', reason: 'ES module syntax, no "type" in /srv/plain/package.json', typeless: true },
    ],
    [
      'ES module code with no package.json above it',
      '/elsewhere/app.js',
      { system: 'esm', reason: 'ES module syntax, no package.json above it', typeless: true },
    ],
    [
      'a typeless file over 512 kB is not compiled',
      '/elsewhere/bundle.js',
      { system: 'commonjs', reason: 'no package.json above it; larger than 512 kB, not checked for ES module syntax', typeless: true },
    ],
    [
      'the nearest package.json decides, even without "type"',
      '/srv/esm/nested/app.js',
      { system: 'commonjs', reason: 'no "type": "module" in /srv/esm/nested/package.json; the file could not be read', typeless: true },
    ],
    [
      'a broken package.json counts as one without "type"',
      '/srv/broken/app.js',
      { system: 'commonjs', reason: 'no "type": "module" in /srv/broken/package.json; the file could not be read', typeless: true },
    ],
    [
      'no package.json above the script, unreadable',
      '/elsewhere/gone.js',
      { system: 'commonjs', reason: 'no package.json above it; the file could not be read', typeless: true },
    ],
    ['no entry script (a REPL, -e)', undefined, { system: 'unknown', reason: 'no entry script' }],
  ])('%s', (_title, entry, expected) => {
    expect(entryModuleSystem(entry, { readFile, nearestPackageJson })).toEqual(expected);
  });
});

describe('the nearest package.json, as Node finds it', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-find-package-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, 'app', 'src', 'deep'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'outer' }));
  fs.writeFileSync(path.join(root, 'app', 'package.json'), JSON.stringify({ name: 'app', type: 'module' }));
  fs.writeFileSync(path.join(root, 'app', 'src', 'deep', 'server.js'), 'export {};\n');
  fs.writeFileSync(path.join(root, 'top.js'), '\n');

  test.each<[string, string, string | undefined]>([
    ['a file two directories below its package', 'app/src/deep/server.js', 'app/package.json'],
    ['a file beside a package.json', 'top.js', 'package.json'],
    ['a file that does not exist: none, and no throw', 'app/src/missing.js', undefined],
  ])('%s', (_title, file, expected) => {
    expect(nodesNearestPackageJson(path.join(root, file))).toBe(expected === undefined ? undefined : path.join(root, expected));
  });
});
