/**
 * The part of `@sentry/core` 11 that tracehop calls, all of it exported from
 * the package's index (`build/types/index.d.ts`): the external propagation
 * context (what Sentry's own OpenTelemetry bridge uses to give events the
 * active trace), the global scope's event processors, breadcrumbs on the
 * active isolation scope (and read back from a scope, `Scope.getScopeData`),
 * whether Sentry is suppressing tracing (and its suppression, around
 * tracehop's own export requests), and the client's `httpServerRequest`
 * hook with the current scope's propagation context (so that Sentry's own
 * spans of a request start in its trace).
 * Declared here rather than imported: Sentry is never a dependency of
 * tracehop, and the app's own copy is the one that counts.
 */

/** What `registerExternalPropagationContext` asks for: the active trace and span ids. */
export type ExternalPropagationContext = () => { traceId: string; spanId: string } | undefined;

/** The fields of an event tracehop reads or sets. */
export interface SentryEvent {
  tags?: Record<string, unknown>;
  contexts?: Record<string, Record<string, unknown> | undefined>;
  breadcrumbs?: SentryBreadcrumb[];
}

export interface SentryBreadcrumb {
  type?: string;
  category?: string;
  level?: 'fatal' | 'error' | 'warning' | 'info' | 'debug';
  message?: string;
  timestamp?: number;
  data?: Record<string, unknown>;
}

/** A scope's propagation context: the trace its next root span starts in (and the trace of events outside any span). */
export interface SentryPropagationContext {
  traceId: string;
  sampleRand: number;
  sampled?: boolean;
  parentSpanId?: string;
  propagationSpanId?: string;
  dsc?: Record<string, unknown>;
}

export interface SentryScope {
  addEventProcessor(processor: (event: SentryEvent) => SentryEvent | null): unknown;
  /** The scope's data as Sentry applies it to an event (a documented `Scope` method), read for its breadcrumbs. */
  getScopeData?(): { breadcrumbs?: SentryBreadcrumb[] };
  getPropagationContext(): SentryPropagationContext;
  setPropagationContext(context: SentryPropagationContext): unknown;
}

/** The client's options tracehop reads: whether Sentry's own tracing is on. */
export interface SentryOptions {
  tracesSampleRate?: unknown;
  tracesSampler?: unknown;
  /** How many breadcrumbs an event keeps (Sentry's default 100). */
  maxBreadcrumbs?: unknown;
}

/**
 * The client, as `Sentry.init` made it. `httpServerRequest` is the hook its
 * HTTP server integration emits for each incoming request, inside the scope
 * the request's spans will start in and before the first of them starts.
 */
export interface SentryClient {
  getOptions(): SentryOptions;
  on(hook: 'httpServerRequest', callback: (request: unknown, response: unknown, normalizedRequest: unknown) => void): () => void;
}

export interface SentryCore {
  readonly SDK_VERSION: string;
  registerExternalPropagationContext(fn: ExternalPropagationContext): void;
  getGlobalScope(): SentryScope;
  getCurrentScope(): SentryScope;
  getIsolationScope(): SentryScope;
  getDefaultIsolationScope(): SentryScope;
  addBreadcrumb(breadcrumb: SentryBreadcrumb): void;
  isTracingSuppressed(): boolean;
  suppressTracing<T>(callback: () => T): T;
  getClient(): SentryClient | undefined;
}

const FUNCTIONS = [
  'registerExternalPropagationContext',
  'getGlobalScope',
  'getCurrentScope',
  'getIsolationScope',
  'getDefaultIsolationScope',
  'addBreadcrumb',
  'isTracingSuppressed',
  'suppressTracing',
  'getClient',
] as const;

/** These exports as the API above (CommonJS exports or an ES module namespace alike), or `null` when a piece is missing. */
export function sentryCoreOf(moduleExports: unknown): SentryCore | null {
  if (moduleExports === null || typeof moduleExports !== 'object') return null;
  const core = moduleExports as Record<string, unknown>;
  for (const name of FUNCTIONS) if (typeof core[name] !== 'function') return null;
  return moduleExports as SentryCore;
}
