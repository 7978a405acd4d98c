'use strict';
// Summarizes a V8 .cpuprofile (node --cpu-prof, bench/ab.js --prof=DIR):
// self time by function and by where the code lives (package, tracehop's
// own folders, Node's internals, GC), as percentages of the samples, so two
// agents' profiles under the same load can be read side by side.
//
//   node bench/profile-summary.js [--top=25] FILE.cpuprofile[=REQUESTS]...
//
// With the requests the service served while profiled (bench/ab.js prints
// them), each line also gives microseconds of samples per request. Samples
// are taken on the wall clock while the thread is busy: time in a system call
// (writev, a socket write) includes time the process waited for a core on a
// busy machine, so native I/O reads high; JavaScript's share is sound.
const fs = require('node:fs');
const path = require('node:path');

function place(url) {
  if (url === '') return '(native/V8)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = file.slice(modules + 14).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = /\/dist\/(src\/[^/]+|register)/.exec(file);
  if (dist !== null) return `tracehop ${dist[1]}`;
  return path.basename(file);
}

function summarize(file, requests, top) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map(node => [node.id, node]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) || 0) + 1);
  let total = 0;
  let idle = 0;
  const fns = new Map();
  const places = new Map();
  for (const [id, count] of counts) {
    const { callFrame } = byId.get(id);
    if (callFrame.functionName === '(idle)') {
      idle += count;
      continue;
    }
    total += count;
    const where = callFrame.functionName.startsWith('(') ? callFrame.functionName : place(callFrame.url);
    const fn = `${callFrame.functionName || '(anonymous)'} ${where}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    fns.set(fn, (fns.get(fn) || 0) + count);
    places.set(where, (places.get(where) || 0) + count);
  }
  const interval = (profile.endTime - profile.startTime) / profile.samples.length;
  const perRequest = n => (requests === undefined ? '' : `  ${((n * interval) / requests).toFixed(2).padStart(6)} µs/req`);
  const pct = n => `${((100 * n) / total).toFixed(1).padStart(5)}%${perRequest(n)}`;
  const lines = [`${path.basename(file)}: ${total} busy samples (${idle} idle), ${interval.toFixed(0)} µs apart${perRequest(total)}`, 'self time by place:'];
  for (const [where, n] of [...places].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(n)}  ${where}`);
  lines.push('self time by function:');
  for (const [fn, n] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(n)}  ${fn}`);
  return lines.join('\n');
}

const args = process.argv.slice(2);
const topArg = args.find(arg => arg.startsWith('--top='));
const top = topArg === undefined ? 25 : Number(topArg.slice(6));
for (const arg of args.filter(a => !a.startsWith('--'))) {
  const [file, requests] = arg.split('=');
  process.stdout.write(`${summarize(file, requests === undefined ? undefined : Number(requests), top)}\n\n`);
}
