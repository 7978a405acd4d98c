'use strict';
// `tracehop tree` over a large generated log: how long it takes and how much
// memory it peaks at, for every request's tree and for one request. Runnable
// alone (`node bench/tree-logs.js [lines]`, default 1,000,000) and as the
// `tree` scenario of `npm run bench`.
//
// The log imitates the lost-and-stolen chain: requests of 10 lines over 5
// hops in 3 services, the lines of neighbouring requests interleaved, about
// 330 bytes a line as the pino hook writes them.
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const LINES_PER_REQUEST = 10;
const SERVICES = ['gateway', 'cards', 'accounts'];
const RUNNER = path.join(__dirname, 'apps', 'tree-run.js');

/** Writes `lines` pino lines to a file; requests are dealt in groups of 8 so their lines interleave. */
function writeLog(file, lines) {
  const out = fs.openSync(file, 'w');
  const requests = Math.ceil(lines / LINES_PER_REQUEST);
  let written = 0;
  let time = 1_796_000_000_000;
  let chunk = '';
  for (let group = 0; group < requests && written < lines; group += 8) {
    const batch = [];
    for (let r = group; r < Math.min(requests, group + 8); r++) {
      const id = crypto.randomUUID();
      const hops = Array.from({ length: 4 }, () => crypto.randomBytes(8).toString('hex'));
      for (let i = 0; i < LINES_PER_REQUEST; i++) {
        const hop = i === 0 || i === LINES_PER_REQUEST - 1 ? null : hops[(i - 1) % 4];
        batch.push({ id, chain: hop === null ? id : `${id},${hop}`, service: SERVICES[hop === null ? 0 : 1 + (i % 2)], i });
      }
    }
    // Deal the group's lines round-robin across its requests, as concurrent requests log.
    batch.sort((a, b) => a.i - b.i);
    for (const line of batch) {
      if (written >= lines) break;
      time += 1;
      const traceId = line.id.replace(/-/g, '');
      chunk += `{"trace_id":"${traceId}","span_id":"${crypto.randomBytes(8).toString('hex')}","trace_flags":"01","request_id":"${line.id}","request_chain":"${line.chain}","level":30,"time":${time},"pid":4242,"hostname":"vm","name":"${line.service}","method":"GET","path":"/cards/1234567890123456/","msg":"request received"}\n`;
      written++;
      if (chunk.length > 1 << 20) {
        fs.writeSync(out, chunk);
        chunk = '';
      }
    }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
  return { lines: written, requests, bytes: fs.statSync(file).size };
}

/** One run of the tree in a fresh process, so its peak RSS is its own. */
function measure(file, args) {
  const run = spawnSync(process.execPath, [RUNNER, file, ...args], { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) throw new Error(`tree-run failed (${run.status ?? run.signal}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

function measureTree({ lines }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-bench-tree-'));
  try {
    const file = path.join(dir, 'chain.log');
    const log = writeLog(file, lines);
    const firstId = JSON.parse(fs.readFileSync(file, 'utf8').slice(0, 2000).split('\n')[0]).request_id;
    return { log, all: measure(file, ['--json']), one: measure(file, ['--json', '--request', firstId]) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function describe(result) {
  const row = (label, r) =>
    `${label}: ${(r.ms / 1000).toFixed(2)} s, ${Math.round(result.log.lines / (r.ms / 1000)).toLocaleString('en')} lines/s, peak RSS ${(r.maxRssKB / 1024).toFixed(0)} MB`;
  return [
    `${result.log.lines.toLocaleString('en')} lines, ${result.log.requests.toLocaleString('en')} requests, ${(result.log.bytes / 1e6).toFixed(0)} MB`,
    row('every request', result.all),
    row('--request (one)', result.one),
  ].join('\n');
}

module.exports = { measureTree, describe, writeLog };

if (require.main === module) {
  const lines = Number(process.argv[2] ?? 1_000_000);
  process.stdout.write(`${describe(measureTree({ lines }))}\n`);
}
