/**
 * Sentry: the app's Sentry 11 error events carry the request, with no code
 * change. Each event captured inside a request gets the request's trace and
 * span ids as its `contexts.trace` (what pino logged), the request id as a
 * tag (TRACEHOP_SENTRY_REQUEST_ID_TAG), the chain in a `tracehop` context,
 * and the request's pino lines as breadcrumbs (TRACEHOP_SENTRY_BREADCRUMB_LEVEL);
 * Sentry's own envelope requests make no span and carry no headers, and
 * Sentry traces none of tracehop's export requests. With Sentry's own
 * tracing on, its spans of a request start in the request's trace, so one
 * request has one trace id in both tracers and in every header sent on.
 *
 * What it hooks, when the app loads `@sentry/core` (never a dependency):
 * - the app's own copy of `@sentry/core`, through its documented exports:
 *   `registerExternalPropagationContext`, a global-scope event processor,
 *   `addBreadcrumb` on the request's isolation scope (read back with
 *   `getScopeData` for an event captured after a synchronous throw left
 *   that scope), `isTracingSuppressed` and `suppressTracing`, the client's
 *   `httpServerRequest` hook and the current scope's propagation context
 *   (sentry-hook.ts, sentry-bridge.ts; no patching);
 * - the pino hook's finished lines (src/logging/pino-line.ts) for breadcrumbs,
 *   and the outgoing http and fetch hooks (src/http/client-hooks.ts) for
 *   Sentry's own traffic, and the export pipeline's hand-over for tracehop's,
 *   all wired by the runtime (src/runtime/sdk.ts).
 *
 * `sentrySupport` (sentry-version.ts) says which Sentry versions are hooked,
 * for the doctor.
 */
export { SentryBridge } from './sentry-bridge';
export type { SentrySettings } from './sentry-bridge';
export { SentryHookInstrumentation, SUPPORTED_SENTRY_VERSIONS } from './sentry-hook';
export { breadcrumbOfLine, eventWithBreadcrumbs, eventWithRequest, eventWithRequestSpan, propagationInTrace } from './sentry-fields';
export { sentryCoreOf } from './sentry-core';
export { sentryLoadedFirstWarning, sentrySupport } from './sentry-version';
export type { SentrySupport } from './sentry-version';
export type { SentrySeen } from './sentry-bridge';
