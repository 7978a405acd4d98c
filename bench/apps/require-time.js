'use strict';
// Times `require(preload)` in a fresh process: everything the preload does
// synchronously (loading its modules, building and starting the SDK) before
// the app's first line could run. `node -r preload app.js` pays the same.
const { performance } = require('node:perf_hooks');

const preload = process.argv[2];
const started = performance.now();
require(preload);
process.send({ type: 'required', ms: performance.now() - started });
