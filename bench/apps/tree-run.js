'use strict';
// Runs `tracehop tree` (the built CLI code) on a file in this process, its
// output counted and discarded, then prints the wall time and this process's
// peak RSS as one JSON line.
const { performance } = require('node:perf_hooks');
const { runTree } = require('../../dist/src/cli/tree');
const { DEFAULT_LOG_FIELDS } = require('../../dist/src/config');

async function main() {
  const [file, ...args] = process.argv.slice(2);
  let bytes = 0;
  let summary = '';
  const started = performance.now();
  const code = await runTree([...args, file], {
    output: {
      stdout: text => {
        bytes += text.length;
      },
      stderr: text => {
        summary += text;
      },
    },
    stdin: process.stdin,
    logFields: DEFAULT_LOG_FIELDS,
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`tree exited ${code}: ${summary}`);
  process.stdout.write(`${JSON.stringify({ ms, maxRssKB: process.resourceUsage().maxRSS, outputBytes: bytes, summary: summary.trim() })}\n`);
}

main().catch(error => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
