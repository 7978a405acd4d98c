/**
 * The request in the app's own code: read the ids of the request whose code
 * is running, add log fields to it or to a block of it, and run work that
 * no incoming request started as a request of its own.
 *
 * It hooks nothing: the request's correlation is already in the
 * OpenTelemetry context (src/core/correlation.ts), and the log
 * fields reach pino lines through the existing splice (src/logging/).
 */
export { currentRequest, addLogFields, withLogFields } from './request-fields';
export type { CurrentRequest } from './request-fields';
export { runAsRequest } from './run-as-request';
export type { RunAsRequestOptions } from './run-as-request';
export { configureRequestIds } from '../core/request-id-policy';
export type { RequestIdFunctions, RequestIdFormat } from '../core/request-id-policy';
