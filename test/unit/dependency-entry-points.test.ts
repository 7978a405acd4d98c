/**
 * Only documented entry points of dependencies: no import or require of a
 * package's build/, dist/, src/ or lib/ folders anywhere in tracehop's code,
 * tests, bench or examples. Such paths are a package's private layout: they
 * move between releases (OpenTelemetry JS 3.x's exports maps closed them) and
 * break tracehop with them. A package's own documented subpath (such as
 * `@opentelemetry/otlp-exporter-base/node-http`) is fine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const SCANNED = ['register.ts', 'src', 'test', 'bench', 'examples', 'scripts', 'bin'];
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** A module specifier in an import, export-from, require(), require.resolve() or import() call. */
const SPECIFIER = /(?:\bfrom\s*|\brequire(?:\.resolve)?\s*\(\s*|\bimport\s*\(\s*|\bimport\s+)(['"`])([^'"`]+)\1/g;
/** A bare package specifier (scoped or not) that reaches into a private folder. */
const DEEP = /^(?:@[^/]+\/)?[^./][^/]*\/(?:build|dist|src|lib)(?:\/|$)/;

function sourceFiles(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return SOURCE.test(full) ? [full] : [];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap(dirent => {
    if (dirent.name === 'node_modules' || dirent.name === 'results') return [];
    return sourceFiles(path.join(entry, dirent.name));
  });
}

/** The deep specifiers in a source text. Pure. */
export function deepImports(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map(match => match[2]).filter(specifier => DEEP.test(specifier));
}

describe('imports of dependencies', () => {
  test.each<[string, string, string[]]>([
    [
      'a build/ path',
      "import type * as X from '@opentelemetry/otlp-exporter-base/build/src/index-node-http';",
      ['@opentelemetry/otlp-exporter-base/build/src/index-node-http'],
    ],
    ['a require of dist/', "const u = require('@opentelemetry/instrumentation-http/dist/utils.cjs');", ['@opentelemetry/instrumentation-http/dist/utils.cjs']],
    ['an unscoped lib/', 'const x = require("pino/lib/symbols");', ['pino/lib/symbols']],
    ['a dynamic import of src/', "await import('some-pkg/src/index.js');", ['some-pkg/src/index.js']],
    ['a documented subpath', "import type * as H from '@opentelemetry/otlp-exporter-base/node-http';", []],
    ['the package itself', "import { trace } from '@opentelemetry/api';", []],
    ['our own relative folders', "import { x } from '../src/export'; require('./dist/register.js');", []],
    ['a package named like a folder word', "require('dist-tag'); require('build-info');", []],
  ])('the check finds %s', (_title, text, found) => {
    expect(deepImports(text)).toEqual(found);
  });

  test("no file of tracehop imports a dependency's build, dist, src or lib folder", () => {
    const files = SCANNED.flatMap(sourceFiles);
    // The scan must see the code it guards, or it proves nothing.
    expect(files.length).toBeGreaterThan(200);
    const offending = files.flatMap(file => {
      // This file names such paths as test cases.
      if (file === __filename) return [];
      return deepImports(fs.readFileSync(file, 'utf8')).map(specifier => `${path.relative(ROOT, file)}: ${specifier}`);
    });
    expect(offending).toEqual([]);
  });
});
