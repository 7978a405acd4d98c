/**
 * Route names for Express 4 and 5, nested routers and sub-apps included.
 *
 * Express 5: through the `express.router.request` TracingChannel of its
 * `router` package (express-router-channel.ts), no patching. The `router`
 * module's load is watched only to learn its version: 2.3.0 is the first to
 * publish the channel.
 *
 * Express 4 (and an Express 5 whose `router` is older than 2.3.0): its
 * router publishes nothing, so this patch remains, minimal: the two Router
 * methods that create layers with a path, `use` and `route` (on Express 4's
 * router prototype, `express.Router`; on `router`'s, `express.Router.prototype`).
 * Each layer they add has its `handle` replaced by a Proxy of it: calls go
 * through us, everything else (`stack`, `name`, `length`, `params`, any
 * property a route lister reads) is the router's or the route's own, so
 * `app._router.stack` and each mounted router's `handle.stack` read as
 * without tracehop. A mount records its template on the request for the
 * routers below it (restored when `next` leaves it); a route is the
 * request's candidate (answered-route.ts) until it calls `next`, and a route
 * that passes an error names the span at once.
 *
 * No span per middleware, and nothing runs for layers added without a path.
 */
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { ModuleHookInstrumentation, Replacements } from '../core/module-hook';
import type { ModuleHook } from '../core/module-hook';
import { isModuleNamespace } from '../core/module-namespace';
import { nameRoutesOnFinish, offerRoute, stopNamingRoutesOnFinish, withdrawRoute } from './answered-route';
import { followExpressRouter, stopFollowingExpressRouter } from './express-router-channel';
import { MountTemplates } from './mount-templates';
import { setActiveRoute } from './server-span-route';
import { EXPRESS_MOUNTS_KEY as MOUNTS, EXPRESS_PATCHED_KEY as PATCHED } from '../core/shared-state';

/** The Express majors whose Router this hook understands. */
export const SUPPORTED_EXPRESS_VERSIONS = ['>=4 <6'];
/** The versions of `router` (Express 5's) that publish `express.router.request`. */
export const ROUTER_CHANNEL_VERSIONS = ['>=2.3.0 <3'];

/** `router` exports (its Router) seen loading at a version that publishes the channel. */
const routersWithChannel = new WeakSet<object>();

type Next = (...args: unknown[]) => unknown;
type Handle = (req: RoutedRequest, res: unknown, next: Next) => unknown;
interface Layer {
  handle: Handle;
}
interface RouterLike {
  stack?: Layer[];
}
/** The mount templates above a layer, innermost first: a persistent stack, so entering a mount copies nothing. */
interface Mounts {
  readonly template: unknown;
  readonly outer: Mounts | undefined;
}
type RoutedRequest = { method?: string; [MOUNTS]?: Mounts };
type RouterMethods = Record<string, unknown> & { [PATCHED]?: boolean };

/**
 * `disable()` puts back the Router's own `use` and `route`. Layers added
 * while the hook was in force keep their Proxies (the app's routers hold
 * them): they still follow mounts and offer routes, which no span is named
 * after once naming on finish stops.
 */
export class ExpressRoutesInstrumentation extends ModuleHookInstrumentation {
  constructor(config: InstrumentationConfig = {}) {
    super('tracehop-express-routes', config);
  }

  protected hooks(): ModuleHook[] {
    return [
      // Watched for its version only: nothing is replaced, nothing to put back.
      { module: 'router', versions: ROUTER_CHANNEL_VERSIONS, patch: moduleExports => noteRouterWithChannel(moduleExports) },
      {
        module: 'express',
        versions: SUPPORTED_EXPRESS_VERSIONS,
        patch: (moduleExports, replacements) => {
          // Responses are watched for an answered route only once the app has Express: an app without it pays nothing per request.
          nameRoutesOnFinish('express');
          return patchExpressModule(moduleExports, replacements);
        },
      },
    ];
  }

  override enable(): void {
    super.enable();
    followExpressRouter();
  }

  override disable(): void {
    super.disable();
    stopFollowingExpressRouter();
    stopNamingRoutesOnFinish('express');
  }
}

/** Remembers a `router` that publishes the channel; its exports are returned untouched. */
export function noteRouterWithChannel(moduleExports: unknown): unknown {
  const Router = isModuleNamespace(moduleExports) ? (moduleExports as { default?: unknown }).default : moduleExports;
  if (typeof Router === 'function') routersWithChannel.add(Router);
  return moduleExports;
}

function routerOf(moduleExports: unknown): (Function & RouterMethods & { prototype?: RouterMethods }) | undefined {
  const express = (isModuleNamespace(moduleExports) ? (moduleExports as { default?: unknown }).default : moduleExports) as { Router?: unknown } | undefined;
  const Router = express?.Router as (Function & RouterMethods & { prototype?: RouterMethods }) | undefined;
  return typeof Router === 'function' ? Router : undefined;
}

/** Whether these `express` exports (CommonJS, or an ES module namespace) have route names: their router publishes the channel, or is patched. */
export function isHookedExpress(moduleExports: unknown): boolean {
  const Router = routerOf(moduleExports);
  if (Router === undefined) return false;
  return routersWithChannel.has(Router) || Router[PATCHED] === true || Router.prototype?.[PATCHED] === true;
}

/**
 * Patches the Router of these `express` exports (CommonJS, or an ES module
 * namespace), unless it publishes the channel; what it replaces is noted in
 * `replacements`, to be put back.
 */
export function patchExpressModule(moduleExports: unknown, replacements = new Replacements()): unknown {
  const Router = routerOf(moduleExports);
  if (Router === undefined || routersWithChannel.has(Router)) return moduleExports;
  // Express 5's Router is a class; Express 4's is the prototype object itself.
  const methods = typeof Router.prototype?.route === 'function' ? Router.prototype : Router;
  if (methods[PATCHED]) return moduleExports;
  wrapLayerMaker(methods, 'use', false, replacements);
  wrapLayerMaker(methods, 'route', true, replacements);
  replacements.replace(methods, PATCHED, true);
  return moduleExports;
}

/** Wraps `use` or `route` so that the layers it adds carry their path template. */
function wrapLayerMaker(methods: RouterMethods, name: 'use' | 'route', isRoute: boolean, replacements: Replacements): void {
  const original = methods[name];
  if (typeof original !== 'function') return;
  replacements.replace(methods, name, function (this: RouterLike, ...args: unknown[]) {
    const before = this.stack?.length ?? 0;
    const result = original.apply(this, args);
    try {
      const template = isRoute ? args[0] : typeof args[0] === 'function' ? '/' : args[0];
      const stack = this.stack ?? [];
      for (let i = before; i < stack.length; i++) stack[i].handle = proxyHandle(stack[i].handle, template, isRoute);
    } catch {
      // A router shaped unlike Express's: leave it unnamed. Nothing is lost but the route name.
    }
    return result;
  });
}

/** A Proxy, not a wrapper function: reads and writes of the handle's properties (a router's `stack`) reach the handle itself. */
function proxyHandle(handle: Handle, template: unknown, isRoute: boolean): Handle {
  // Express skips handles of four parameters for requests (they are error handlers): keep theirs as they are.
  if (typeof handle !== 'function' || handle.length > 3) return handle;
  if (!isRoute && (template === '/' || template === '')) return handle;
  const apply = isRoute ? routeApply(template) : mountApply(template);
  return new Proxy(handle, { apply });
}

/** Each chain of mount patterns and its route's joined once. */
const templates = new MountTemplates();

function routeApply(template: unknown) {
  return function (handle: Handle, thisArg: unknown, [req, res, next]: Parameters<Handle>): unknown {
    const route = templates.join(req[MOUNTS], template);
    if (route === null || typeof next !== 'function') return Reflect.apply(handle, thisArg, [req, res, next]);
    let passedOn = false;
    offerRoute(req, 'express', req.method, route, () => !passedOn);
    return Reflect.apply(handle, thisArg, [
      req,
      res,
      function leaveRoute(this: unknown, ...args: unknown[]) {
        passedOn = true;
        const error = args[0];
        // `route` and `router` only skip ahead; a real error is answered for this route (the 500 is its own).
        if (error && error !== 'route' && error !== 'router') setActiveRoute('express', req.method, route);
        else withdrawRoute(req);
        return next.apply(this, args);
      },
    ]);
  };
}

function mountApply(template: unknown) {
  return function (handle: Handle, thisArg: unknown, [req, res, next]: Parameters<Handle>): unknown {
    if (typeof next !== 'function') return Reflect.apply(handle, thisArg, [req, res, next]);
    const outer = req[MOUNTS];
    req[MOUNTS] = { template, outer };
    return Reflect.apply(handle, thisArg, [
      req,
      res,
      function leaveMount(this: unknown, ...args: unknown[]) {
        req[MOUNTS] = outer;
        return next.apply(this, args);
      },
    ]);
  };
}
