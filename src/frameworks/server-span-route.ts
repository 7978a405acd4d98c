/**
 * Names the request's SERVER span after its route template. Works with
 * either server span: instrumentation-http's (which also reads the route
 * from its RPC metadata when the response ends) or tracehop's own. There
 * are no middleware spans in tracehop, so the active span while a
 * framework's route runs is the server span itself.
 */
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { reporter } from '../diag';
import { routeSpanName } from './route-template';

/** The attribute of the HTTP semantic conventions (stable) for the matched route template. */
export const ATTR_HTTP_ROUTE = 'http.route';

/** Which frameworks have named a route in this process, for the doctor. */
const seen = new Set<string>();

/** Frameworks whose routes tracehop has named so far, in first-seen order. */
export function frameworksWithRoutes(): string[] {
  return [...seen];
}

/**
 * Records `template` as the route of the active request: `http.route` and
 * the span name `METHOD template`. Never throws into the framework.
 */
export function setActiveRoute(framework: string, method: unknown, template: string): void {
  setRouteIn(context.active(), framework, method, template);
}

/**
 * setActiveRoute for the request whose context is `requestContext` (kept as
 * its route started), from wherever the decision is made: no context to
 * enter for it.
 */
export function setRouteIn(requestContext: Context, framework: string, method: unknown, template: string): void {
  try {
    const span = trace.getSpan(requestContext) as (Span & { kind?: SpanKind }) | undefined;
    if (span === undefined || !span.isRecording()) return;
    // A span of the SDK exposes its kind; anything but a SERVER span is not ours to rename.
    if (span.kind !== undefined && span.kind !== SpanKind.SERVER) return;
    const rpcMetadata = getRPCMetadata(requestContext);
    if (rpcMetadata?.type === RPCType.HTTP) rpcMetadata.route = template;
    span.setAttribute(ATTR_HTTP_ROUTE, template);
    if (typeof method === 'string' && method !== '') span.updateName(routeSpanName(method, template));
    seen.add(framework);
  } catch (error) {
    // The request goes on; what is lost is the route on its span, which keeps its method-only name.
    reporter.warn(
      `route ${framework}`,
      `route names: a ${framework} route was not recorded on its span: ${error instanceof Error ? error.message : typeof error}`,
    );
  }
}
