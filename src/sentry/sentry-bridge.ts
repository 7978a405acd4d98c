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
 */
import { currentRequest } from '../context';
import { reporter } from '../diag';
import { breadcrumbOfLine, eventWithRequest } from './sentry-fields';
import type { SentryCore, SentryEvent } from './sentry-core';

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
        globalScope.addEventProcessor(event => this.addRequest(event));
      }
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
      for (const core of this.cores) {
        if (core.getIsolationScope() === core.getDefaultIsolationScope()) continue;
        core.addBreadcrumb(breadcrumb);
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

  private addRequest(event: SentryEvent): SentryEvent {
    try {
      const request = currentRequest();
      return request === undefined ? event : eventWithRequest(event, request, this.settings.requestIdTag);
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
