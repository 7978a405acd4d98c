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
 *
 * Sentry's own spans (its tracing on): Sentry starts its server span for a
 * request in a trace of its own, before tracehop's context is entered. The
 * client's `httpServerRequest` hook runs just before, in the scope that span
 * starts from: there the scope's propagation context is given the request's
 * trace id (tracehop's server span has started by then, on Node's
 * `http.server.request.start` channel). Sentry's server span, its child
 * spans, its events and the `sentry-trace` and `baggage` it sends downstream
 * then all carry tracehop's trace id. Each client is hooked the first time a
 * request arrives after `Sentry.init`, on the same channel. The other way
 * round, tracehop's export requests run inside Sentry's `suppressTracing`
 * (`runAsOwnTraffic`): no span or breadcrumb of Sentry's names them.
 */
import { subscribe } from 'node:diagnostics_channel';
import { context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { currentRequest } from '../context';
import { getCorrelation } from '../core/correlation';
import { REQUEST_CONTEXT_KEY } from '../core/shared-state';
import { reporter } from '../diag';
import { breadcrumbOfLine, eventWithBreadcrumbs, eventWithRequest, eventWithRequestSpan, propagationInTrace } from './sentry-fields';
import type { SentryCore, SentryEvent, SentryScope } from './sentry-core';

/** Node publishes each incoming HTTP request here before the server emits `request`; tracehop's server span starts on it first. */
const REQUEST_START_CHANNEL = 'http.server.request.start';

export interface SentrySettings {
  /** TRACEHOP_SENTRY_REQUEST_ID_TAG. */
  readonly requestIdTag: string;
  /** TRACEHOP_SENTRY_BREADCRUMB_LEVEL as a pino level number; Infinity when off. */
  readonly breadcrumbLevel: number;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : typeof error;
}

/** What the doctor is told of the app's Sentry when the app listens (src/introspection/doctor-channel.ts). */
export interface SentrySeen {
  /** The versions of the copies of `@sentry/core` hooked. */
  readonly versions: readonly string[];
  /** Whether `Sentry.init` had made a client by then. */
  readonly initialised: boolean;
  /** Whether that client's own tracing is on (`tracesSampleRate` or `tracesSampler`, or SENTRY_TRACES_SAMPLE_RATE). */
  readonly tracing: boolean;
}

export class SentryBridge {
  /** Every copy of `@sentry/core` the app loaded; one is usual. */
  private readonly cores: SentryCore[] = [];
  /** Global scopes given our event processor: copies of one Sentry version share theirs. */
  private readonly processed = new WeakSet<object>();
  /** For each copy of `@sentry/core`, the isolation scope each request's lines went to, by the request's correlation. */
  private readonly requestScopes = new WeakMap<SentryCore, WeakMap<object, SentryScope>>();
  /** Clients whose `httpServerRequest` hook moves their request spans into the request's trace. */
  private readonly hookedClients = new WeakSet<object>();
  private watchingRequests = false;

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
      this.watchRequests();
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
      // Copies of one Sentry version (its CommonJS and ES module builds, as under
      // `--import ./instrument.mjs` with an app that `require`s it) share their
      // scopes: the line goes to each isolation scope once.
      const added = new Set<SentryScope>();
      for (const core of this.cores) {
        const scope = core.getIsolationScope();
        if (scope === core.getDefaultIsolationScope()) continue;
        if (!added.has(scope)) core.addBreadcrumb(breadcrumb);
        added.add(scope);
        const scopes = this.requestScopes.get(core);
        if (correlation !== undefined && scopes !== undefined && scopes.get(correlation) !== scope) scopes.set(correlation, scope);
      }
    } catch (error) {
      reporter.warn('sentry breadcrumb', `Sentry: a log line could not be added as a breadcrumb (${message(error)})`);
    }
  }

  /**
   * Runs `send` (tracehop's export of spans) with each hooked Sentry's
   * tracing suppressed, as Sentry sends its own envelopes: its HTTP client
   * instrumentation then makes no span and no breadcrumb of the request,
   * in whichever request's context the export runs. `send`'s own throw is
   * the caller's; a Sentry that fails to suppress is reported and `send`
   * runs plainly.
   */
  runAsOwnTraffic<T>(send: () => T): T {
    let run = send;
    for (const core of this.cores) {
      const inner = run;
      run = () => {
        let ran = false;
        try {
          return core.suppressTracing(() => {
            ran = true;
            return inner();
          });
        } catch (error) {
          if (ran) throw error;
          reporter.warn('sentry suppress', `Sentry: its tracing could not be suppressed around tracehop's export (${message(error)}); Sentry may trace it`);
          return inner();
        }
      };
    }
    return run();
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

  /** For the doctor: `undefined` when the app has loaded no copy tracehop hooks. */
  seen(): SentrySeen | undefined {
    if (this.cores.length === 0) return undefined;
    return { versions: this.versions, initialised: this.cores.some(core => core.getClient() !== undefined), tracing: this.tracingOn() };
  }

  /** Whether any hooked Sentry client has its own tracing on: two tracers then run side by side. */
  tracingOn(): boolean {
    return this.cores.some(clientTracing);
  }

  /** Once: on each incoming request, hooks any client `Sentry.init` made since the last one. */
  private watchRequests(): void {
    if (this.watchingRequests) return;
    this.watchingRequests = true;
    subscribe(REQUEST_START_CHANNEL, () => this.hookClients());
  }

  private hookClients(): void {
    for (const core of this.cores) {
      try {
        const client = core.getClient();
        if (client === undefined || this.hookedClients.has(client)) continue;
        this.hookedClients.add(client);
        client.on('httpServerRequest', request => this.startInRequestTrace(core, request));
      } catch (error) {
        reporter.warn('sentry client', `Sentry: its client could not be hooked (${message(error)}); its own spans keep their own trace ids`);
      }
    }
  }

  /** In Sentry's scope for an incoming request, before its spans start: the trace is the request's. */
  private startInRequestTrace(core: SentryCore, incoming: unknown): void {
    try {
      const requestContext = (incoming as { [REQUEST_CONTEXT_KEY]?: Context } | null)?.[REQUEST_CONTEXT_KEY];
      if (requestContext === undefined) return;
      const request = context.with(requestContext, currentRequest);
      if (request === undefined) return;
      const scope = core.getCurrentScope();
      const moved = propagationInTrace(scope.getPropagationContext(), request.traceId);
      if (moved !== null) scope.setPropagationContext(moved);
    } catch (error) {
      reporter.warn('sentry request trace', `Sentry: a request's trace could not be given to Sentry (${message(error)}); its spans keep their own trace id`);
    }
  }

  private addRequest(event: SentryEvent, core: SentryCore): SentryEvent {
    try {
      const request = currentRequest();
      if (request === undefined) return event;
      const tagged = eventWithRequest(event, request, this.settings.requestIdTag);
      const withRequest = clientTracing(core) ? tagged : eventWithRequestSpan(tagged, request);
      if (core.getIsolationScope() !== core.getDefaultIsolationScope()) return withRequest;
      const correlation = getCorrelation(context.active());
      const scope = correlation === undefined ? undefined : this.requestScopes.get(core)?.get(correlation);
      const breadcrumbs = scope?.getScopeData?.().breadcrumbs;
      if (breadcrumbs === undefined) return withRequest;
      const max = core.getClient()?.getOptions().maxBreadcrumbs;
      return eventWithBreadcrumbs(withRequest, breadcrumbs, typeof max === 'number' ? max : undefined);
    } catch (error) {
      reporter.warn('sentry event', `Sentry: an event could not be given its request (${message(error)}); it is sent without it`);
      return event;
    }
  }
}

/** Whether this copy's client has its own tracing on (`tracesSampleRate` or `tracesSampler`, or SENTRY_TRACES_SAMPLE_RATE). */
function clientTracing(core: SentryCore): boolean {
  const options = core.getClient()?.getOptions();
  return options !== undefined && (typeof options.tracesSampleRate === 'number' || typeof options.tracesSampler === 'function');
}

/** The provider given to Sentry: the active request's trace and span ids, none outside a request. */
function activeIds(): { traceId: string; spanId: string } | undefined {
  const request = currentRequest();
  return request === undefined ? undefined : { traceId: request.traceId, spanId: request.spanId };
}
