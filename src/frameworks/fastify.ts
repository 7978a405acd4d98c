/**
 * Route names for Fastify 4 and 5, without patching: Fastify publishes each
 * new instance on the `fastify.initialization` diagnostics channel, before
 * any plugin or route is registered, so an `onRequest` hook added there runs
 * for every route of the app. The route template is `request.routeOptions.url`
 * (`request.routerPath` on Fastify 4 before 4.10); a request that matched no
 * route has none and keeps its plain method name.
 */
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { reporter } from '../diag';
import { setActiveRoute } from './server-span-route';

/** The diagnostics channel Fastify publishes `{ fastify }` on when an instance is created. */
export const FASTIFY_INITIALIZATION_CHANNEL = 'fastify.initialization';

interface FastifyRequestLike {
  method?: string;
  routeOptions?: { url?: unknown };
  routerPath?: unknown;
  is404?: boolean;
}
interface FastifyLike {
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: unknown, done: () => void) => void): unknown;
}

function onRequest(request: FastifyRequestLike, _reply: unknown, done: () => void): void {
  try {
    const template = request.routeOptions?.url ?? request.routerPath;
    // Fastify's 404 handler has a wildcard route of its own: that is not the app's route.
    if (typeof template === 'string' && request.is404 !== true) setActiveRoute('fastify', request.method, template);
  } catch {
    // Unreachable in practice (setActiveRoute does not throw); keep the request going whatever happens.
  }
  done();
}

function onInitialization(message: unknown): void {
  const fastify = (message as { fastify?: FastifyLike } | null)?.fastify;
  if (typeof fastify?.addHook !== 'function') return;
  try {
    fastify.addHook('onRequest', onRequest);
  } catch (error) {
    // The app runs; what is lost is route names on this Fastify instance's spans.
    reporter.warn(
      'route fastify hook',
      `route names: could not add the Fastify onRequest hook; its spans keep method-only names: ${error instanceof Error ? error.message : typeof error}`,
    );
  }
}

/**
 * An instrumentation only in name, so that it is enabled and disabled with
 * the others: it hooks no module, it subscribes to the channel.
 */
export class FastifyRoutesInstrumentation extends InstrumentationBase<InstrumentationConfig> {
  constructor(config: InstrumentationConfig = {}) {
    super('tracehop-fastify-routes', '1.0.0', config);
  }

  protected init() {
    return [];
  }

  override enable(): void {
    super.enable();
    // Once: a channel calls a function subscribed twice twice (unsubscribing one never subscribed is a no-op).
    diagnosticsChannel.unsubscribe(FASTIFY_INITIALIZATION_CHANNEL, onInitialization);
    diagnosticsChannel.subscribe(FASTIFY_INITIALIZATION_CHANNEL, onInitialization);
  }

  override disable(): void {
    super.disable();
    diagnosticsChannel.unsubscribe(FASTIFY_INITIALIZATION_CHANNEL, onInitialization);
  }
}
