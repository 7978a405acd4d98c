'use strict';
// `tracehop view` embedded in the demo: a local OTLP/HTTP receiver the
// services export to, which prints the request's trace as a tree with each
// service's pino lines under their spans. No collector, no Jaeger.
const { ANSI_COLOUR, DEFAULT_MAX_LOGS, DEFAULT_MAX_SPANS, DEFAULT_MAX_TRACES, DEFAULT_LOG_FIELDS, NO_COLOUR, formatTrace, startViewer } = loadView();

function loadView() {
  const view = require('../../dist/src/cli/view');
  const { DEFAULT_LOG_FIELDS } = require('../../dist/src/config');
  return { ...view, DEFAULT_LOG_FIELDS };
}

/** Starts the receiver on a free loopback port; `print()` draws what it received, with the lines given to `addLogLine`. */
async function startEmbeddedView() {
  const docs = [];
  const viewer = await startViewer({
    host: '127.0.0.1',
    port: 0,
    // The demo prints once the services have stopped (and flushed), so nothing needs to complete on its own.
    quietMs: 60_000,
    maxSpans: DEFAULT_MAX_SPANS,
    maxTraces: DEFAULT_MAX_TRACES,
    maxLogs: DEFAULT_MAX_LOGS,
    logFields: DEFAULT_LOG_FIELDS,
    onTrace: doc => docs.push(doc),
    onNotice: line => console.error(`tracehop view: ${line}`),
  });
  return {
    url: viewer.url,
    addLogLine: line => viewer.addLogLine(line),
    async print() {
      await viewer.close();
      const colour = process.stdout.isTTY && !process.env.NO_COLOR ? ANSI_COLOUR : NO_COLOUR;
      for (const doc of docs) console.log(formatTrace(doc, colour));
      return docs;
    },
  };
}

module.exports = { startEmbeddedView };
