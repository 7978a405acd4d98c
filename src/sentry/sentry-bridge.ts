/**
 * What tracehop does with the app's copy of `@sentry/core` once it loads:
 * gives Sentry the active request's trace and span ids, adds the request id
 * and chain to every event captured inside a request, adds the request's
 * pino lines to that request's isolation scope as breadcrumbs, and tells the
 * outgoing http and fetch hooks when Sentry is sending its own traffic.
 *
 * Breadcrumbs go to Sentry's isolation scope, which Sentry 11 forks per
 * incoming request in its own AsyncLocalStorage (its `httpServerIntegration`,
 * on Node's `http.server.request.start` channel), whether or not its tracing
 * is on. A line written where Sentry has no per-request scope (the default
 * isolation scope: a job, or a request Sentry did not see) is not added,
 * since it would reach every later event of the process.
 *
 * An error thrown synchronously out of a request handler unwinds out of
 * Sentry's per-request scope: Sentry's `uncaughtException` handler captures
 * it under the default isolation scope (tracehop makes the request's own
 * context active again there, src/errors/crash-context.ts). So the bridge
 * notes which isolation scope each request's lines went to, and an event of
 * that request captured under the default one gets them from that scope.
 */
import { context } from '@opentelemetry/api';
import { currentRequest } from '../context';
import { getCorrelation } from '../core/correlation';
import { reporter } from '../diag';
import { breadcrumbOfLine, eventWithBreadcrumbs, eventWithRequest } from './sentry-fields';
import type { SentryCore, SentryEvent, SentryScope } from './sentry-core';

export interface SentrySettings {
  /** TRACEHOP_SENTRY_REQUEST_ID_TAG. */
  readonly requestIdTag: string;
  /** TRACEHOP_SENTRY_BREADCRUMB_LEVEL as a pino level number; Infinity when off. */
  readonly breadcrumbLevel: number;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : typeof error;
}

export class SentryBridge {
  /** Every copy of `@sentry/core` the app loaded; one is usual. */
  private readonly cores: SentryCore[] = [];
  /** Global scopes given our event processor: copies of one Sentry version share theirs. */
  private readonly processed = new WeakSet<object>();
  /** For each copy of `@sentry/core`, the isolation scope each request's lines went to, by the request's correlation. */
  private readonly requestScopes = new WeakMap<SentryCore, WeakMap<object, SentryScope>>();

  constructor(private readonly settings: SentrySettings) {}

  /** The versions of `@sentry/core` hooked so far, for the doctor. */
  get versions(): string[] {
    return this.cores.map(core => String(core.SDK_VERSION));
  }

  /** Hooks one copy of `@sentry/core`: at load, before the app's `Sentry.init`. */
  attach(core: SentryCore): void {
    if (this.cores.includes(core)) return;
    try {
      core.registerExternalPropagationContext(activeIds);
      const globalScope = core.getGlobalScope();
      if (!this.processed.has(globalScope)) {
        this.processed.add(globalScope);
        globalScope.addEventProcessor(event => this.addRequest(event, core));
      }
      this.requestScopes.set(core, new WeakMap());
      this.cores.push(core);
    } catch (error) {
      reporter.warn(
        'sentry attach',
        `Sentry: @sentry/core ${String(core.SDK_VERSION)} could not be hooked (${message(error)}); its events will not carry the request`,
      );
    }
  }

  /** A finished pino line, before tracehop's fields are spliced in: a breadcrumb of the request it was written in. */
  onLine(line: string): void {
    if (this.cores.length === 0 || this.settings.breadcrumbLevel === Number.POSITIVE_INFINITY) return;
    try {
      if (currentRequest() === undefined) return;
      const breadcrumb = breadcrumbOfLine(line, this.settings.breadcrumbLevel);
      if (breadcrumb === null) return;
      const correlation = getCorrelation(context.active());
      for (const core of this.cores) {
        const scope = core.getIsolationScope();
        if (scope === core.getDefaultIsolationScope()) continue;
        core.addBreadcrumb(breadcrumb);
        const scopes = this.requestScopes.get(core);
        if (correlation !== undefined && scopes !== undefined && scopes.get(correlation) !== scope) scopes.set(correlation, scope);
      }
    } catch (error) {
      reporter.warn('sentry breadcrumb', `Sentry: a log line could not be added as a breadcrumb (${message(error)})`);
    }
  }

  /** Whether Sentry is sending its own traffic (its transport runs inside `suppressTracing`): such a request gets no span and no headers. */
  isSentryTraffic(): boolean {
    for (const core of this.cores) {
      try {
        if (core.isTracingSuppressed()) return true;
      } catch (error) {
        reporter.warn('sentry suppressed', `Sentry: whether a request is Sentry's own could not be told (${message(error)}); it is traced`);
      }
    }
    return false;
  }

  /** Whether any hooked Sentry client has its own tracing on: two tracers then run side by side. */
  tracingOn(): boolean {
    return this.cores.some(core => {
      const options = core.getClient()?.getOptions();
      return options !== undefined && (typeof options.tracesSampleRate === 'number' || typeof options.tracesSampler === 'function');
    });
  }

  private addRequest(event: SentryEvent, core: SentryCore): SentryEvent {
    try {
      const request = currentRequest();
      if (request === undefined) return event;
      const withRequest = eventWithRequest(event, request, this.settings.requestIdTag);
      if (core.getIsolationScope() !== core.getDefaultIsolationScope()) return withRequest;
      const correlation = getCorrelation(context.active());
      const scope = correlation === undefined ? undefined : this.requestScopes.get(core)?.get(correlation);
      const breadcrumbs = scope?.getScopeData?.().breadcrumbs;
      return breadcrumbs === undefined ? withRequest : eventWithBreadcrumbs(withRequest, breadcrumbs);
    } catch (error) {
      reporter.warn('sentry event', `Sentry: an event could not be given its request (${message(error)}); it is sent without it`);
      return event;
    }
  }
}

/** The provider given to Sentry: the active request's trace and span ids, none outside a request. */
function activeIds(): { traceId: string; spanId: string } | undefined {
  const request = currentRequest();
  return request === undefined ? undefined : { traceId: request.traceId, spanId: request.spanId };
}
