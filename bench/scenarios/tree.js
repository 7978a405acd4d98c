'use strict';
// `tracehop tree` over a generated chain log (bench/tree-logs.js): wall time
// and peak RSS for every request's tree, and for one request.
const { measureTree, describe } = require('../tree-logs');

const SETTINGS = { full: { lines: 1_000_000 }, quick: { lines: 20_000 } };

async function run({ quick, log }) {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const result = measureTree(settings);
  log(`tree: ${describe(result).split('\n').join('; ')}`);
  return { settings, ...result };
}

module.exports = { name: 'tree', run };
