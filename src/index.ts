/**
 * tracehop's public API (docs/api.md). Most users need none of it:
 * `node -r tracehop/register app.js` does the work. `currentRequest`,
 * `addLogFields`, `withLogFields` and `runAsRequest` reach the request from
 * the app's own code; `configureRequestIds` replaces the request-id policy;
 * `tracehopMixin` serves loggers the pino hook cannot reach (a bundle);
 * `inject` and `runWithCarrier` carry a request through queues tracehop does
 * not hook. Everything else is internal and may change in any release.
 */
export { currentRequest, addLogFields, withLogFields, runAsRequest, configureRequestIds } from './context';
export type { CurrentRequest, RunAsRequestOptions, RequestIdFunctions } from './context';
export { tracehopMixin } from './logging/mixin';
export { inject, runWithCarrier } from './jobs';
export type { JobCarrier, RunWithCarrierOptions } from './jobs';
