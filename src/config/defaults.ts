/**
 * tracehop's configuration defaults and the shapes of valid names, shared by
 * the environment reader (env-reader.ts) and parseConfig (index.ts).
 */
import type { LogFieldNames } from './types';

export const DEFAULT_TRACES_ENDPOINT = 'http://localhost:4318/v1/traces';
export const DEFAULT_REQUEST_ID_HEADERS = 'X-Request-ID,X-Correlation-ID';
export const DEFAULT_SHUTDOWN_TIMEOUT_MILLIS = 5000;
/** The OpenTelemetry specification's OTLP exporter timeout. */
export const DEFAULT_EXPORTER_TIMEOUT_MILLIS = 10000;
/** Set by `tracehop doctor` in the app's environment. */
export const DOCTOR_FD_VARIABLE = 'TRACEHOP_DOCTOR_FD';
/** Set next to it: the doctor's pid, which must be the app's parent pid. */
export const DOCTOR_PID_VARIABLE = 'TRACEHOP_DOCTOR_PID';
export const DEFAULT_LOG_FIELDS: LogFieldNames = Object.freeze({
  traceId: 'trace_id',
  spanId: 'span_id',
  traceFlags: 'trace_flags',
  requestId: 'request_id',
  requestChain: 'request_chain',
  jobId: 'job_id',
  parentJobId: 'parent_job_id',
});

// The OpenTelemetry specification's batch span processor defaults. With
// http/protobuf a batch is encoded ahead of its export in slices of 128
// spans, one per turn of the event loop (src/export/sliced-encoding.ts), so a
// 512-span batch holds the loop no longer than a 128-span one, for a quarter
// of the export requests (docs/performance.md, "Export stalls").
export const BSP_DEFAULTS = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 };
// http/json is encoded by the OpenTelemetry serializer, whole, at about 10 µs
// a span: a 512-span batch would hold the event loop for some 5 ms. Its
// default batch stays 128, as it was for both protocols before the slices.
export const JSON_BATCH_DEFAULT = 128;
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const LOG_FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$/;
