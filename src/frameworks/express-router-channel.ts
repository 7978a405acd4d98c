/**
 * Route names for Express 5 without patching: its `router` package (2.3.0
 * and later) publishes every middleware, route handler and `router.param()`
 * callback it invokes on the `express.router.request` TracingChannel, with
 * `{ req, res, layer, handler, route, ... }` (router's README,
 * "Diagnostics"). `route` is the pattern that matched in the router running
 * the layer: a route handler's path, or the path a middleware or a mounted
 * router was registered with.
 *
 * The full template joins the patterns of the mounts a request went
 * through. Routing a request is one sequence of layers, so the mounts are
 * kept on the request, each with the router that dispatched it: `req.next`,
 * which each router invocation sets to its own `next` and restores when it
 * leaves (Express itself reads it, in `res.format` and `res.sendFile`). A
 * layer dispatched by a router below a mount is inside it; one dispatched by
 * the mount's own router, or one above, has left it.
 *
 * A route handler's layer is one of `req.route.stack`; any other layer (a
 * middleware, a mount) running after a route means that route passed the
 * request on. The route stands as the request's candidate (answered-route.ts)
 * until then, or until its router leaves (`req.next` no longer the one it ran
 * under: the not-found handler answers). A route whose handler failed (threw,
 * rejected, called `next(err)`) names the span at once: the error handler
 * that answers speaks for it.
 */
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { reporter } from '../diag';
import { offerRoute, withdrawRoute } from './answered-route';
import { MountTemplates } from './mount-templates';
import { setRouteIn } from './server-span-route';

/** The TracingChannel `router` 2.3+ (Express 5's) publishes each layer invocation on. */
export const EXPRESS_ROUTER_CHANNEL = 'express.router.request';

import { EXPRESS_ROUTER_MOUNTS_KEY as MOUNTS } from '../core/shared-state';
/** On a route handler's channel context (subscribers may annotate it, as router's README does): its full template. */
const TEMPLATE = Symbol('tracehop.express-router.template');

/** A mount the request entered: its pattern, the mount above it, and the `next` of the router that dispatched it. */
interface Mount {
  readonly template: unknown;
  readonly outer: Mount | undefined;
  readonly parentNext: unknown;
}
interface RouterRequest {
  method?: string;
  next?: unknown;
  route?: { stack?: unknown };
  [MOUNTS]?: Mount;
}
interface LayerInvocation {
  req?: RouterRequest;
  layer?: unknown;
  route?: unknown;
  param?: unknown;
  errorHandler?: boolean;
  [TEMPLATE]?: { template: string; context: Context };
}

/** The mount the layer now starting runs inside, `routerNext` being its router's `next`: the ones its router has left are dropped. */
function enclosingMount(top: Mount | undefined, routerNext: unknown): Mount | undefined {
  for (let mount = top; mount !== undefined; mount = mount.outer) {
    // This mount was dispatched by the router now running: it, and all below it, are done.
    if (mount.parentNext === routerNext) return mount.outer;
  }
  return top;
}

/** Each chain of mount patterns and its route's joined once. */
const templates = new MountTemplates();

function onStart(message: unknown): void {
  const ctx = message as LayerInvocation;
  const req = ctx?.req;
  // A param callback belongs to the layer about to run; an error handler speaks for the route that failed.
  if (typeof req !== 'object' || req === null || 'param' in ctx || ctx.errorHandler === true) return;
  try {
    const top = req[MOUNTS];
    const routerNext = req.next;
    const mount = enclosingMount(top, routerNext);
    const routeStack = req.route?.stack;
    if (Array.isArray(routeStack) && routeStack.includes(ctx.layer)) {
      const template = templates.join(mount, ctx.route);
      if (top !== mount) req[MOUNTS] = mount;
      if (template === null) return withdrawRoute(req);
      ctx[TEMPLATE] = { template, context: context.active() };
      offerRoute(req, 'express', req.method, template, () => req.next === routerNext);
      return;
    }
    withdrawRoute(req);
    // Every other layer may be a mount: one that is a plain middleware is left as soon as its router dispatches the next layer.
    // The layer before it in the same router, with the same pattern (middlewares in a row), is the same mount: kept, not made again.
    if (top !== undefined && top.parentNext === routerNext && top.template === ctx.route) return;
    req[MOUNTS] = { template: ctx.route, outer: mount, parentNext: routerNext };
  } catch (error) {
    reporter.warn('express-router-channel', `route names: could not follow an Express 5 layer, its request may be named by method only (${String(error)})`);
  }
}

function onError(message: unknown): void {
  const ctx = message as LayerInvocation;
  const named = ctx?.[TEMPLATE];
  if (named === undefined || typeof ctx.req !== 'object' || ctx.req === null) return;
  withdrawRoute(ctx.req);
  setRouteIn(named.context, 'express', ctx.req.method, named.template);
}

// Only `start` and `error`: an invocation's end says nothing about whether its route answered (the candidate waits for
// the response), and an event without subscribers costs the router nothing (it publishes to no one). Node subscribes
// the events given and skips the others (its TracingChannel, 22.15 and later); its types ask for all five.
const subscribers = { start: onStart, error: onError } as unknown as diagnosticsChannel.TracingChannelSubscribers<object>;

/** Subscribes to `express.router.request`, once: a channel would call a function subscribed twice twice. */
export function followExpressRouter(): void {
  const channel = diagnosticsChannel.tracingChannel(EXPRESS_ROUTER_CHANNEL);
  channel.unsubscribe(subscribers);
  channel.subscribe(subscribers);
}

export function stopFollowingExpressRouter(): void {
  diagnosticsChannel.tracingChannel(EXPRESS_ROUTER_CHANNEL).unsubscribe(subscribers);
}
