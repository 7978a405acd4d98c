/**
 * Route names for Koa with @koa/router (prefixes and nested routers
 * included), from the route whose handler answered: the same rule as
 * Express's (answered-route.ts). A route that called `next()` passed the
 * request on and does not name the span, so a catch-all such as
 * `router.all('/api/(.*)', (ctx, next) => next())` leaves the 404s below it
 * named `GET`, and a route it passed to names it instead.
 *
 * Why not `ctx._matchedRoute` read after the router ran: the router sets it
 * to its most specific matched route up front, and each route's own path as
 * that route starts, so it still holds a route that passed the request on.
 *
 * Koa and @koa/router publish no diagnostics channel, so this patches,
 * minimally, the documented route methods of the Router prototype
 * (`router.get()` and every other verb, `del`, `all`): the route's
 * middleware functions are handed to the router as Proxies of themselves
 * (a route lister reading a layer's `stack` sees each function's own `name`,
 * `length` and properties). Each one, when it runs, makes its route the
 * request's candidate and hands on a `next` that withdraws it. The template
 * is `ctx._matchedRoute` as the function starts, which @koa/router sets to
 * the running layer's full path, prefixes of the routers it was nested in
 * included (the layers of a nested router are copies that share their
 * `stack`, so one function serves every prefix it was mounted under).
 *
 * A route that throws still stands: nothing after it ran, so Koa's 500
 * finishes with it as the candidate. `router.use()` middleware, and
 * `router.param()` callbacks, are not routes and are left as they are. A
 * route that calls `await next()` and answers after it is taken as having
 * passed the request on, as Express's `next()` is.
 */
import { METHODS } from 'node:http';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { reporter } from '../diag';
import { ModuleHookInstrumentation, Replacements } from '../core/module-hook';
import type { ModuleHook } from '../core/module-hook';
import { isModuleNamespace } from '../core/module-namespace';
import { nameRoutesOnFinish, offerRoute, stopNamingRoutesOnFinish, withdrawRoute } from './answered-route';
import { KOA_ROUTER_PATCHED_KEY as PATCHED } from '../core/shared-state';

/** The @koa/router majors whose route methods and `ctx._matchedRoute` this hook expects. */
export const SUPPORTED_KOA_ROUTER_VERSIONS = ['>=9 <16'];

/** The Router methods that add a route: one per HTTP verb (as @koa/router makes them), `del` (its alias of `delete`) and `all`. */
export const KOA_ROUTE_METHODS: readonly string[] = [...METHODS.map(method => method.toLowerCase()), 'del', 'all'];

interface KoaContext {
  method?: string;
  req?: unknown;
  _matchedRoute?: unknown;
}
type Next = (...args: unknown[]) => unknown;
type Middleware = (this: unknown, ctx: KoaContext, next: Next, ...rest: unknown[]) => unknown;
type RouterPrototype = Record<string, unknown> & { [PATCHED]?: boolean };

/** The Proxies this hook made, so that a function handed to the router twice (one verb calling another) is wrapped once. */
const namingMiddleware = new WeakSet<object>();

/**
 * `disable()` puts back the Router prototype's own route methods. Routes
 * added while the hook was in force keep their Proxies (the app's routers
 * hold them): they still offer their route, which no span is named after
 * once naming on finish stops.
 */
export class KoaRouterRoutesInstrumentation extends ModuleHookInstrumentation {
  constructor(config: InstrumentationConfig = {}) {
    super('tracehop-koa-router-routes', config);
  }

  protected hooks(): ModuleHook[] {
    return [
      {
        module: '@koa/router',
        versions: SUPPORTED_KOA_ROUTER_VERSIONS,
        patch: (moduleExports, replacements) => {
          // Responses are watched for an answered route only once the app has @koa/router: an app without it pays nothing per request.
          nameRoutesOnFinish('koa');
          return patchKoaRouterModule(moduleExports, replacements);
        },
      },
    ];
  }

  override enable(): void {
    super.enable();
  }

  override disable(): void {
    super.disable();
    stopNamingRoutesOnFinish('koa');
  }
}

/** Whether these `@koa/router` exports have the route-name hook. */
export function isHookedKoaRouter(moduleExports: unknown): boolean {
  return routerPrototype(moduleExports)?.[PATCHED] === true;
}

/**
 * Patches the route methods of the Router of these `@koa/router` exports
 * (CommonJS, or an ES module namespace); what it replaces is noted in
 * `replacements`, to be put back.
 */
export function patchKoaRouterModule(moduleExports: unknown, replacements = new Replacements()): unknown {
  const proto = routerPrototype(moduleExports);
  if (proto === undefined || proto[PATCHED]) return moduleExports;
  try {
    for (const name of KOA_ROUTE_METHODS) {
      const original = proto[name];
      if (typeof original === 'function') replacements.replace(proto, name, new Proxy(original, { apply: addRouteNaming }));
    }
    replacements.replace(proto, PATCHED, true);
  } catch (error) {
    reporter.warn('koa-router-hook', `route names: could not hook @koa/router, its requests are named by method only (${String(error)})`);
  }
  return moduleExports;
}

/** A route method called with its route's middleware functions as Proxies; the name, path and anything else untouched. */
function addRouteNaming(method: Function, thisArg: unknown, args: unknown[]): unknown {
  let named = args;
  try {
    named = args.map(arg => (typeof arg === 'function' && !namingMiddleware.has(arg) ? namingProxy(arg as Middleware) : arg));
  } catch (error) {
    reporter.warn('koa-router-route', `route names: could not hook a @koa/router route, its requests are named by method only (${String(error)})`);
  }
  // The router's own errors (a middleware that is not a function) reach the app as they would untraced.
  return Reflect.apply(method, thisArg, named);
}

function namingProxy(middleware: Middleware): Middleware {
  const proxy = new Proxy(middleware, { apply: runAsCandidate });
  namingMiddleware.add(proxy);
  return proxy;
}

/**
 * Runs one of a route's functions with its route as the request's
 * candidate, and a `next` that withdraws it. Within a route of several
 * functions each one's `next` leads to the next, which offers the route
 * again; the last one's leads out of the route.
 */
function runAsCandidate(middleware: Middleware, thisArg: unknown, args: Parameters<Middleware>): unknown {
  const [ctx, next] = args;
  const request = ctx?.req;
  if (typeof next !== 'function' || typeof request !== 'object' || request === null) return Reflect.apply(middleware, thisArg, args);
  try {
    const template = ctx._matchedRoute;
    // A RegExp route has no template; whatever ran before it passed the request on.
    if (typeof template === 'string') offerRoute(request, 'koa', ctx.method, template);
    else withdrawRoute(request);
  } catch (error) {
    reporter.warn('koa-router-route', `route names: could not follow a @koa/router route, its request may be named by method only (${String(error)})`);
  }
  const passOn = function (this: unknown, ...nextArgs: unknown[]) {
    withdrawRoute(request);
    return next.apply(this, nextArgs);
  };
  return Reflect.apply(middleware, thisArg, [ctx, passOn, ...args.slice(2)]);
}

function routerPrototype(moduleExports: unknown): RouterPrototype | undefined {
  const Router = (isModuleNamespace(moduleExports) ? (moduleExports as { default?: unknown }).default : moduleExports) as
    (Function & { prototype?: RouterPrototype }) | undefined;
  return typeof Router === 'function' ? Router.prototype : undefined;
}
