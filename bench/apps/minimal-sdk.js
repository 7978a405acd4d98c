'use strict';
// The hand-written alternative: what a user writes from the OpenTelemetry
// getting-started guide to get traces and pino correlation, preloaded with
// `node --require ./bench/apps/minimal-sdk.js app.js`. Only the http and pino
// instrumentations, an OTLP/HTTP protobuf exporter behind the NodeSDK's
// batch span processor, every other setting at its default.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino');

const sdk = new NodeSDK({
  traceExporter: new OTLPTraceExporter(),
  instrumentations: [new HttpInstrumentation(), new PinoInstrumentation()],
});
sdk.start();
