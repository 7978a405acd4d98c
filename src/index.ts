/**
 * tracehop's public API. Most users need none of it: `node -r tracehop/register app.js`
 * does the work. `currentRequest`, `addLogFields`, `withLogFields` and `runAsRequest`
 * reach the request from the app's own code; the rest serve apps that build
 * loggers or carriers by hand.
 */
export { currentRequest, addLogFields, withLogFields, runAsRequest, configureRequestIds } from './context';
export type { CurrentRequest, RunAsRequestOptions, RequestIdFunctions } from './context';
export { tracehopMixin } from './logging/mixin';
export { createLogFieldsReader } from './logging/log-fields';
export type { LogFields } from './logging/log-fields';
export { parseRequestId, isAcceptableId, MAX_REQUEST_ID_LENGTH } from './core/ids/request-id';
export type { ParsedRequestId } from './core/ids/request-id';
export { requestIdToTraceId, traceIdToUuid } from './core/ids/trace-id';
export { extendChain, MAX_CHAIN_HOPS } from './core/ids/chain';
export {
  getCorrelation,
  REQUEST_ID_ATTRIBUTE,
  REQUEST_CHAIN_ATTRIBUTE,
  REQUEST_ID_BAGGAGE_KEY,
  REQUEST_CHAIN_BAGGAGE_KEY,
} from './core/correlation';
export type { RequestCorrelation } from './core/correlation';
export { inject, runWithCarrier, SUPPORTED_BULLMQ_VERSIONS } from './jobs';
export type { JobCarrier, RunWithCarrierOptions } from './jobs';
export type { Config, JobTraceMode, LogFieldNames } from './config';
