/**
 * `tracehop view`: a local OTLP/HTTP trace receiver that prints each trace
 * once it is complete, as a tree of spans with a waterfall bar and the pino
 * lines of each span beneath it, or as one JSON document per trace; a line
 * that arrives after its trace was printed is printed by itself. It hooks
 * nothing in an app: apps export to it as to any collector (it listens on the
 * default OTLP/HTTP port). It is a command-line tool and prints.
 */
export { parseViewArgs, USAGE as VIEW_USAGE } from './args';
export type { ParsedViewArgs, ViewOptions } from './args';
export { ANSI_COLOUR, formatLateLog, formatTrace, NO_COLOUR, waterfall } from './format-trace';
export type { Palette } from './format-trace';
export { PrintedTraces } from './late-logs';
export type { LateLogDocument } from './late-logs';
export { LogIndex, parseSpanLogLine } from './log-index';
export type { LogRecord } from './log-index';
export { decodeJsonExportTraceServiceRequest } from '../../otlp/decode-json';
export { decodeExportTraceServiceRequest } from '../../otlp/decode-protobuf';
export type { ReceivedResourceSpans, ReceivedSpan } from '../../otlp/decode-protobuf';
export { createReceiver, MAX_BODY_BYTES, TRACES_PATH } from './receiver';
export { LOG_WAIT_INTERVALS, TraceBuffer } from './trace-buffer';
export type { EvictionCounts, PendingTrace, TraceBufferOptions } from './trace-buffer';
export { buildTraceDocument } from './trace-document';
export type { SpanNode, TraceDocument } from './trace-document';
export { DEFAULT_MAX_LOGS, DEFAULT_MAX_SPANS, DEFAULT_MAX_TRACES, DEFAULT_QUIET_MS, DEFAULT_VIEW_HOST, DEFAULT_VIEW_PORT, startViewer } from './viewer';
export type { Viewer, ViewerOptions } from './viewer';
export { runView } from './view-command';
export type { ViewEnvironment } from './view-command';
