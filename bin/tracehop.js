#!/usr/bin/env node
'use strict';
// The `tracehop` command: the compiled CLI lives in dist/ (npm run build).
require('../dist/src/cli/tracehop.js').run();
