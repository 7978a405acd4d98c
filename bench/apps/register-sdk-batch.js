'use strict';
// tracehop with the SDK's BatchSpanProcessor (@opentelemetry/sdk-trace) in
// place of its own, on the same exporter and the same OTEL_BSP_* values: for
// measuring tracehop's batch processor against the SDK's in the same rounds
// (bench/ab.js, docs/performance.md). Preloaded as register.js is:
//
//   node bench/ab.js none=none ours=tracehop sdk=tracehop:REGISTER=bench/apps/register-sdk-batch.js
//
// Bench only: it starts tracehop through an internal seam of the start-up
// (StartSeams in src/runtime/sdk.ts), which no setting reaches.
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace');
const gate = require('../../dist/src/runtime/preload-gate.js');

if (!gate.isModuleHooksThread()) {
  const { startTracehop } = require('../../dist/src/runtime/start.js');
  startTracehop({
    exportProcessor: (exporter, batch) =>
      new BatchSpanProcessor({
        exporter,
        maxQueueSize: batch.maxQueueSize,
        maxExportBatchSize: batch.maxExportBatchSize,
        scheduledDelayMillis: batch.scheduledDelayMillis,
        exportTimeoutMillis: batch.exportTimeoutMillis,
      }),
  });
}
