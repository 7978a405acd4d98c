/**
 * Route names for Express 4 and 5, nested routers included. Express
 * publishes no diagnostics channel, so this patches, minimally, the two
 * Router methods that create layers with a path: `use` and `route`
 * (on Express 4's router prototype, `express.Router`; on Express 5's
 * `router` package, `express.Router.prototype`). Each layer they add
 * remembers its path template, and its handle is wrapped once:
 * a mount layer records its template on the request for the routers below
 * it (restored when `next` leaves it), a route layer names the server span.
 * No span per middleware, and nothing runs for layers added without a path.
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { isModuleNamespace } from '../core/module-namespace';
import { joinRouteTemplates } from './route-template';
import { setActiveRoute } from './server-span-route';
import { EXPRESS_MOUNTS_KEY as MOUNTS, EXPRESS_PATCHED_KEY as PATCHED } from '../core/shared-state';

/** The Express majors whose Router this hook understands. */
export const SUPPORTED_EXPRESS_VERSIONS = ['>=4 <6'];

type Handle = (req: RoutedRequest, res: unknown, next: (...args: unknown[]) => unknown) => unknown;
interface Layer { handle: Handle }
interface RouterLike { stack?: Layer[] }
/** The mount templates above a layer, innermost first: a persistent stack, so entering a mount copies nothing. */
interface Mounts {
  readonly template: unknown;
  readonly outer: Mounts | undefined;
}
type RoutedRequest = { method?: string; [MOUNTS]?: Mounts };
type RouterMethods = Record<string, unknown> & { [PATCHED]?: boolean };

export class ExpressRoutesInstrumentation extends InstrumentationBase<InstrumentationConfig> {
  constructor(config: InstrumentationConfig = {}) {
    super('tracehop-express-routes', '1.0.0', config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        'express',
        SUPPORTED_EXPRESS_VERSIONS,
        (moduleExports: unknown) => patchExpressModule(moduleExports),
        (moduleExports: unknown) => moduleExports,
      ),
    ];
  }
}

/** Whether these `express` exports (CommonJS, or an ES module namespace) have the route-name hook. */
export function isHookedExpress(moduleExports: unknown): boolean {
  const express = (isModuleNamespace(moduleExports) ? (moduleExports as { default?: unknown }).default : moduleExports) as
    { Router?: unknown } | undefined;
  const Router = express?.Router as (Function & RouterMethods & { prototype?: RouterMethods }) | undefined;
  if (typeof Router !== 'function') return false;
  return Router[PATCHED] === true || Router.prototype?.[PATCHED] === true;
}

/** Patches the Router of these `express` exports (CommonJS, or an ES module namespace). */
export function patchExpressModule(moduleExports: unknown): unknown {
  const express = (isModuleNamespace(moduleExports) ? (moduleExports as { default?: unknown }).default : moduleExports) as
    { Router?: unknown } | undefined;
  const Router = express?.Router as (Function & RouterMethods & { prototype?: RouterMethods }) | undefined;
  if (typeof Router !== 'function') return moduleExports;
  // Express 5's Router is a class; Express 4's is the prototype object itself.
  const methods = typeof Router.prototype?.route === 'function' ? Router.prototype : Router;
  if (methods[PATCHED]) return moduleExports;
  wrapLayerMaker(methods, 'use', false);
  wrapLayerMaker(methods, 'route', true);
  methods[PATCHED] = true;
  return moduleExports;
}

/** Wraps `use` or `route` so that the layers it adds carry their path template. */
function wrapLayerMaker(methods: RouterMethods, name: 'use' | 'route', isRoute: boolean): void {
  const original = methods[name];
  if (typeof original !== 'function') return;
  methods[name] = function (this: RouterLike, ...args: unknown[]) {
    const before = this.stack?.length ?? 0;
    const result = original.apply(this, args);
    try {
      const template = isRoute ? args[0] : (typeof args[0] === 'function' ? '/' : args[0]);
      const stack = this.stack ?? [];
      for (let i = before; i < stack.length; i++) stack[i].handle = wrapHandle(stack[i].handle, template, isRoute);
    } catch {
      // A router shaped unlike Express's: leave it unnamed.
    }
    return result;
  };
}

function wrapHandle(handle: Handle, template: unknown, isRoute: boolean): Handle {
  // Express skips handles of four parameters for requests (they are error handlers): keep theirs as they are.
  if (typeof handle !== 'function' || handle.length > 3) return handle;
  if (isRoute) {
    return function routeHandle(this: unknown, req, res, next) {
      const route = joinRouteTemplates(templatesOf(req[MOUNTS], template));
      if (route !== null) setActiveRoute('express', req.method, route);
      return handle.call(this, req, res, next);
    };
  }
  if (template === '/' || template === '') return handle;
  return function mountHandle(this: unknown, req, res, next) {
    const outer = req[MOUNTS];
    req[MOUNTS] = { template, outer };
    return handle.call(this, req, res, function leaveMount(this: unknown, ...args: unknown[]) {
      req[MOUNTS] = outer;
      return next.apply(this, args);
    });
  };
}

/** The templates from the outermost mount down to `last`. */
function templatesOf(mounts: Mounts | undefined, last: unknown): unknown[] {
  const templates = [last];
  for (let mount = mounts; mount !== undefined; mount = mount.outer) templates.unshift(mount.template);
  return templates;
}
