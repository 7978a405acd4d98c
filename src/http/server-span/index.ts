/**
 * The HTTP server span: tracehop's own, started from Node's
 * `http.server.request.start` diagnostics channel (server-span.ts), with the
 * attributes instrumentation-http sets under the stable HTTP semantic
 * conventions (attributes.ts). TRACEHOP_SERVER_SPAN=instrumentation-http
 * switches back to instrumentation-http's server path.
 */
export { ServerSpan, REQUEST_START_CHANNEL, emitInRequestContextOn } from './server-span';
export type { ServerSpanOptions } from './server-span';
export { requestAttributes, normalizeMethod } from './attributes';
export type { RequestFacts } from './attributes';
