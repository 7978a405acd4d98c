'use strict';
// The markdown report of one run. Figures are medians of rounds with their
// range, `median (min–max)`; ratios are to the untraced baseline measured in
// the same rounds.
const { OPTIONS, TRACED_OPTIONS } = require('./options');

function number(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function range(summary, digits = 0) {
  if (!summary || summary.n === 0) return 'n/a';
  if (summary.n === 1) return number(summary.median, digits);
  return `${number(summary.median, digits)} (${number(summary.min, digits)}–${number(summary.max, digits)})`;
}

function ratio(summary) {
  if (!summary || summary.n === 0) return 'n/a';
  if (summary.n === 1) return `${number(summary.median, 2)}x`;
  return `${number(summary.median, 2)}x (${number(summary.min, 2)}–${number(summary.max, 2)})`;
}

function table(headers, rows) {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map(row => `| ${row.join(' | ')} |`)].join('\n');
}

function requestPathSection(result) {
  const { rounds, seconds, connections } = result.settings;
  const o = result.options;
  return [
    '## Request path',
    '',
    `${rounds} round(s) of ${seconds} s per option, options alternating; autocannon, ${connections} connections, one pino line per request; every span exported to the local sink.`,
    '',
    table(
      ['option', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/request', 'RSS after load MB', 'bytes/span exported'],
      OPTIONS.map(option => [
        option.label,
        range(o[option.id].requestsPerSecond.value),
        range(o[option.id].p50Ms.value, 3),
        range(o[option.id].p99Ms.value, 3),
        range(o[option.id].cpuMicrosPerRequest.value, 1),
        range(o[option.id].rssMB.value, 1),
        number(o[option.id].export.bytesPerSpan),
      ]),
    ),
    '',
    'Ratio to no tracing, same rounds:',
    '',
    table(
      ['option', 'req/s', 'p50', 'p99', 'CPU/request', 'RSS after load'],
      TRACED_OPTIONS.map(option => [
        option.label,
        ratio(o[option.id].requestsPerSecond.ratio),
        ratio(o[option.id].p50Ms.ratio),
        ratio(o[option.id].p99Ms.ratio),
        ratio(o[option.id].cpuMicrosPerRequest.ratio),
        ratio(o[option.id].rssMB.ratio),
      ]),
    ),
    '',
    `tracehop's throughput over auto-instrumentations-node's: ${ratio(result.tracehopToAuto.requestsPerSecond)}.`,
    ...(result.tracehopToDdtrace
      ? [
          '',
          `tracehop over dd-trace, same rounds: CPU per request ${ratio(result.tracehopToDdtrace.cpuMicrosPerRequest)}, throughput ${ratio(result.tracehopToDdtrace.requestsPerSecond)}.`,
        ]
      : []),
  ].join('\n');
}

function requestRateSection(result) {
  const { rounds, seconds, connections, rate } = result.settings;
  const o = result.options;
  return [
    '## Request path at an even rate',
    '',
    `${rounds} round(s) of ${seconds} s per option, options alternating; the same services, ${number(rate)} requests a second for every option, spread evenly over each second on ${connections} keep-alive connections, so that every option's load generator waits alike between responses; latency from when each request was handed to the client, a wait for a free connection included.`,
    '',
    table(
      ['option', 'req/s achieved', 'p99 ms', 'CPU µs/request', 'CPU/request ratio', 'p99 ratio'],
      OPTIONS.map(option => [
        option.label,
        range(o[option.id].requestsPerSecond.value),
        range(o[option.id].p99Ms.value, 3),
        range(o[option.id].cpuMicrosPerRequest.value, 1),
        option.id === 'none' ? '1.00x' : ratio(o[option.id].cpuMicrosPerRequest.ratio),
        option.id === 'none' ? '1.00x' : ratio(o[option.id].p99Ms.ratio),
      ]),
    ),
  ].join('\n');
}

function logCallSection(result) {
  const o = result.options;
  return [
    '## Log call',
    '',
    `\`logger.info({..}, 'msg')\` to /dev/null through \`pino.destination\`, CPU time per call; ${result.settings.rounds} round(s) of ${number(result.settings.calls)} calls per option and place, options alternating.`,
    '',
    table(
      ['option', 'CPU ns/call in a span', 'ratio', 'CPU ns/call outside spans', 'ratio', 'fields added in a span'],
      OPTIONS.map(option => [
        option.id === 'none' ? 'plain pino' : option.label,
        range(o[option.id].span.value),
        option.id === 'none' ? '1x' : ratio(o[option.id].span.ratio),
        range(o[option.id].outside.value),
        option.id === 'none' ? '1x' : ratio(o[option.id].outside.ratio),
        o[option.id].fieldsInSpan.length === 0 ? 'none' : o[option.id].fieldsInSpan.join(', '),
      ]),
    ),
    '',
    'With three fields added to the request (tracehop: `addLogFields`, once; the others: a pino child logger binding them, also serialized once):',
    '',
    table(
      ['option', 'added through', 'CPU ns/call', 'ratio to the same with plain pino', "ratio to plain pino's call without them"],
      OPTIONS.map(option => [
        option.id === 'none' ? 'plain pino' : option.label,
        o[option.id].addedThrough,
        range(o[option.id].added.value),
        option.id === 'none' ? '1x' : ratio(o[option.id].added.ratio),
        `${o[option.id].addedToPlainCall.median.toFixed(2)}x`,
      ]),
    ),
  ].join('\n');
}

function startupSection(result) {
  const o = result.options;
  return [
    '## Start-up',
    '',
    `${result.settings.rounds} cold start(s) per option, alternating.`,
    '',
    table(
      ['option', 'spawn to port ms', 'ratio', 'CPU to port ms', 'ratio', 'require preload ms', 'RSS at start MB', 'ratio'],
      OPTIONS.map(option => [
        option.label,
        range(o[option.id].spawnToPortMs.value),
        option.id === 'none' ? '1x' : ratio(o[option.id].spawnToPortMs.ratio),
        range(o[option.id].cpuToPortMs.value),
        option.id === 'none' ? '1x' : ratio(o[option.id].cpuToPortMs.ratio),
        option.id === 'none' ? '–' : range(o[option.id].requirePreloadMs),
        range(o[option.id].rssAtStartMB.value, 1),
        option.id === 'none' ? '1x' : ratio(o[option.id].rssAtStartMB.ratio),
      ]),
    ),
  ].join('\n');
}

function memorySection(result) {
  const o = result.options;
  const { slices, warmUpSlices, seconds } = result.settings;
  return [
    '## Memory over a longer run',
    '',
    `The request path's services, under ${slices} more slices of ${seconds} s load each, alternating; the first ${warmUpSlices} are warm-up. Heap growth is heapUsed after a forced collection.`,
    '',
    table(
      ['option', 'RSS after warm-up MB', 'RSS at end MB', 'ratio', 'RSS growth', 'heap growth MB', 'requests after warm-up'],
      OPTIONS.map(option => [
        option.label,
        number(o[option.id].rssAfterWarmUpMB, 1),
        number(o[option.id].rssAtEndMB, 1),
        option.id === 'none' ? '1x' : `${number(o[option.id].rssRatio, 2)}x`,
        `${number(o[option.id].rssGrowthMB, 1)} MB (${number(o[option.id].rssGrowthPercent, 1)} %)`,
        number(o[option.id].heapGrowthMB, 1),
        number(o[option.id].requestsAfterWarmUp),
      ]),
    ),
  ].join('\n');
}

function exportSection(result) {
  const o = result.options;
  return [
    '## Export',
    '',
    `Spans made at rising rates (${result.settings.rates.map(r => number(r)).join(', ')} per second, ${result.settings.seconds} s each) through each option's batch span processor and OTLP/HTTP protobuf exporter, counted at the sink.`,
    '',
    table(
      ['option', 'spans/s without drops', 'where it stopped', 'bytes/span on the wire'],
      TRACED_OPTIONS.filter(option => o[option.id] !== undefined).map(option => [
        option.label,
        number(o[option.id].spansPerSecondWithoutDrops),
        o[option.id].ceiling,
        number(o[option.id].bytesPerSpan),
      ]),
    ),
    '',
    'Encoding alone, one 512-span batch of server spans (bench/export-encoding.js):',
    '',
    table(
      ['encoder', 'bytes per span', 'encode CPU ns per span'],
      Object.entries(result.encoding).map(([encoder, r]) => [encoder, number(r.bytesPerSpan), number(r.nsPerSpan)]),
    ),
    '',
    `tracehop's protobuf bytes ${result.encoding['http/protobuf, tracehop encoder']?.identical ? 'are identical to' : 'differ from'} the OpenTelemetry serializer's.`,
  ].join('\n');
}

function exportStallSection(result) {
  const { rounds, seconds, connections } = result.settings;
  const r = result.results;
  return [
    '## Export stalls',
    '',
    `${rounds} round(s) of ${seconds} s per variant, variants alternating; autocannon, ${connections} connections. Event-loop delay from perf_hooks' monitorEventLoopDelay (1 ms timer) inside the service during the load; ratios to 512-span batches in the same round.`,
    '',
    table(
      [
        'variant',
        'loop delay max ms',
        'p99.9 ms',
        'p99 ms',
        'longest GC pause ms',
        'request p99 ms',
        'CPU µs/request',
        'export requests per 1,000 spans',
        'loop p99 vs 512',
        'request p99 vs 512',
        'CPU vs 512',
      ],
      result.variants.map(({ id, label }) => [
        label,
        range(r[id].loopMaxMs.value, 1),
        range(r[id].loopP999Ms.value, 1),
        range(r[id].loopP99Ms.value, 1),
        range(r[id].gcMaxMs.value, 1),
        range(r[id].p99Ms.value, 2),
        range(r[id].cpuMicrosPerRequest.value),
        range(r[id].exportRequestsPerKSpan.value, 1),
        ratio(r[id].to512.loopP99Ms),
        ratio(r[id].to512.p99Ms),
        ratio(r[id].to512.cpuMicrosPerRequest),
      ]),
    ),
  ].join('\n');
}

function treeSection(result) {
  const row = (label, r) => [label, number(r.ms / 1000, 2), number(result.log.lines / (r.ms / 1000)), number(r.maxRssKB / 1024)];
  return [
    '## tracehop tree',
    '',
    `A generated chain log of ${number(result.log.lines)} pino lines (${number(result.log.requests)} requests, ${number(result.log.bytes / 1e6)} MB), read by \`tracehop tree --json\` in a fresh process (bench/tree-logs.js).`,
    '',
    table(['run', 'seconds', 'lines/s', 'peak RSS MB'], [row('every request', result.all), row('--request (one)', result.one)]),
  ].join('\n');
}

function expressRoutesSection(result) {
  const { rounds, seconds, connections } = result.settings;
  const o = result.options;
  const compared = OPTIONS.filter(option => o[option.id] !== undefined);
  return [
    '## Express app: ten middlewares, parameterised routes',
    '',
    `${rounds} round(s) of ${seconds} s per option, alternating; ${connections} connections on \`GET /api/cards/:cardNumber\` (nested routers), one pino line per request. tracehop names the route on the server span; auto-instrumentations-node with its Express instrumentation names it too, with a span per middleware.`,
    '',
    table(
      ['option', 'req/s', 'p99 ms', 'CPU µs/request', 'CPU/request ratio', 'spans/request'],
      compared.map(option => [
        option.label,
        range(o[option.id].requestsPerSecond.value),
        range(o[option.id].p99Ms.value, 3),
        range(o[option.id].cpuMicrosPerRequest.value, 1),
        option.id === 'none' ? '1.00x' : ratio(o[option.id].cpuMicrosPerRequest.ratio),
        number(o[option.id].spansPerRequest, 1),
      ]),
    ),
    '',
    `tracehop's CPU per request over auto-instrumentations-node's: ${ratio(result.tracehopToAuto.cpuMicrosPerRequest)}${result.tracehopToDdtrace ? `; over dd-trace's: ${ratio(result.tracehopToDdtrace.cpuMicrosPerRequest)}` : ''}.`,
  ].join('\n');
}

/** Who ran: each option's version, preload and settings, so a figure can be traced to what produced it. */
function fieldSection(field) {
  return [
    '## The field',
    '',
    "Each option's settings beyond OTEL_SERVICE_NAME and the OTLP endpoint (`<sink>` and `<tag>` are the local sink and the service's tag); every other setting at its default.",
    '',
    table(
      ['option', 'version', 'preload', 'settings'],
      field.map(option => [
        option.label,
        option.version ?? 'n/a',
        option.preload === null ? 'none' : `\`${option.preload}\``,
        Object.keys(option.settings).length === 0
          ? 'defaults'
          : Object.entries(option.settings)
              .map(([key, value]) => `${key}=${value}`)
              .join(' '),
      ]),
    ),
  ].join('\n');
}

function targetsSection(targets) {
  return [
    '## Targets (tracehop, issues #5, #10 and #23)',
    '',
    table(
      ['target', 'figure', 'met'],
      targets.map(t => [t.target, Number.isFinite(t.figure) ? number(t.figure, 2) : 'n/a', t.met ? 'yes' : '**no**']),
    ),
  ].join('\n');
}

const SECTIONS = {
  requestPath: requestPathSection,
  requestRate: requestRateSection,
  logCall: logCallSection,
  startup: startupSection,
  memory: memorySection,
  export: exportSection,
  exportStall: exportStallSection,
  tree: treeSection,
  expressRoutes: expressRoutesSection,
};

function renderReport(report) {
  const { machine } = report;
  const header = [
    `# tracehop benchmarks (${report.mode})`,
    '',
    `${report.startedAt}, ${number(report.durationSeconds)} s, commit ${machine.commit ?? 'unknown'}. ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGB} GB, ${machine.platform}, Node ${machine.node}. Load average ${report.loadAverage.before} before, ${report.loadAverage.after} after.`,
    '',
    `Versions: ${Object.entries(machine.packages)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
  ].join('\n');
  const sections = Object.entries(report.results).map(([name, result]) => SECTIONS[name](result));
  if (report.field) sections.unshift(fieldSection(report.field));
  return [header, ...sections, targetsSection(report.targets)].join('\n\n') + '\n';
}

module.exports = { renderReport };
