'use strict';
// Times `require(preload)` in a fresh process: everything the preload does
// synchronously (loading its modules, building and starting the SDK) before
// the app's first line could run. `node -r preload app.js` pays the same.
// An ES-module preload (Sentry's instrument file, given with --import, which
// awaits its SDK) is timed to the end of its import instead: what
// `node --import preload app.js` waits for before the app's first line.
const { performance } = require('node:perf_hooks');
const { pathToFileURL } = require('node:url');

const preload = process.argv[2];
const started = performance.now();
if (preload.endsWith('.mjs')) {
  import(pathToFileURL(preload).href).then(() => process.send({ type: 'required', ms: performance.now() - started }));
} else {
  require(preload);
  process.send({ type: 'required', ms: performance.now() - started });
}
