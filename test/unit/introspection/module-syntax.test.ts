import { containsModuleSyntax } from '../../../src/introspection/module-syntax';

// Each row was checked against Node 20.20 itself: the source saved as a .js
// file under a package.json with no "type", run with `node file.js`, is an
// ES module exactly when the last column says so.
describe("containsModuleSyntax decides as Node's module syntax detection", () => {
  test.each<[string, string, boolean]>([
    ['a static import', "import http from 'node:http';\n", true],
    ['a side-effect import', "import './setup.js';\n", true],
    ['an import with no space', "import{createServer}from'node:http';\n", true],
    ['an export list with no space', 'const p = 1;\nexport{p};\n', true],
    ['an export declaration', 'export const port = 3000;\n', true],
    ['import.meta', 'console.log(import.meta.url);\n', true],
    ['a top-level await in the middle of a line', "const pino = (await import('pino')).default;\n", true],
    ['a BOM before the first import', "\uFEFFimport http from 'node:http';\n", true],
    ['a shebang, then an import', "#!/usr/bin/env node\nimport http from 'node:http';\n", true],
    ['"use strict" and an import on one line (minified)', '"use strict";import http from \'node:http\';\n', true],
    ['a banner comment before the import', "/* banner */ import http from 'node:http';\n", true],
    ['a top-level const require', "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n", true],
    ['CRLF line ends', "import http from 'node:http';\r\nhttp.createServer();\r\n", true],
    ['CommonJS with require', "'use strict';\nconst http = require('node:http');\nmodule.exports = http;\n", false],
    ['CommonJS with a dynamic import()', "import('./server.mjs').then(() => {});\n", false],
    ['CommonJS with await inside an async function', 'async function main() {\n  await start();\n}\nmain();\n', false],
    ['the word import in a string and a comment', "// import x from 'y'\nconst s = \"import x from 'y'\";\n", false],
    ['a shebang and CommonJS', "#!/usr/bin/env node\nrequire('./server');\n", false],
    ['a syntax error of another kind', 'const = 1;\n', false],
    ['an empty file', '', false],
  ])('%s: %s', (_title, source, expected) => {
    expect(containsModuleSyntax(source)).toBe(expected);
  });
});
