/**
 * The part of `@sentry/core` 11 that tracehop calls, all of it exported from
 * the package's index (`build/types/index.d.ts`): the external propagation
 * context (what Sentry's own OpenTelemetry bridge uses to give events the
 * active trace), the global scope's event processors, breadcrumbs on the
 * active isolation scope (and read back from a scope, `Scope.getScopeData`),
 * and whether Sentry is suppressing tracing.
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

export interface SentryScope {
  addEventProcessor(processor: (event: SentryEvent) => SentryEvent | null): unknown;
  /** The scope's data as Sentry applies it to an event (a documented `Scope` method), read for its breadcrumbs. */
  getScopeData?(): { breadcrumbs?: SentryBreadcrumb[] };
}

export interface SentryCore {
  readonly SDK_VERSION: string;
  registerExternalPropagationContext(fn: ExternalPropagationContext): void;
  getGlobalScope(): SentryScope;
  getIsolationScope(): SentryScope;
  getDefaultIsolationScope(): SentryScope;
  addBreadcrumb(breadcrumb: SentryBreadcrumb): void;
  isTracingSuppressed(): boolean;
  getClient(): { getOptions(): { tracesSampleRate?: unknown; tracesSampler?: unknown } } | undefined;
}

const FUNCTIONS = [
  'registerExternalPropagationContext',
  'getGlobalScope',
  'getIsolationScope',
  'getDefaultIsolationScope',
  'addBreadcrumb',
  'isTracingSuppressed',
  'getClient',
] as const;

/** These exports as the API above (CommonJS exports or an ES module namespace alike), or `null` when a piece is missing. */
export function sentryCoreOf(moduleExports: unknown): SentryCore | null {
  if (moduleExports === null || typeof moduleExports !== 'object') return null;
  const core = moduleExports as Record<string, unknown>;
  for (const name of FUNCTIONS) if (typeof core[name] !== 'function') return null;
  return moduleExports as SentryCore;
}
