/**
 * Route names for Hono 4 (on @hono/node-server), sub-apps (`app.route()`),
 * `basePath()` and path parameters included: the template is the route's
 * `path` as Hono stores it, already joined (`/v1/api/users/:id`,
 * `/posts/:date{[0-9]+}`, `/animal/:type?`), the same value as
 * `routePath(c)` of `hono/route`.
 *
 * Hono publishes no diagnostics channel, so this wraps, minimally, the
 * `Hono` class that `hono` exports (`require` and `import` alike), with a
 * subclass whose constructor wraps `add` of the new app's router (the
 * documented `router` of every app, typed `Router<[handler, RouterRoute]>`):
 * each route added gets its handler wrapped in the router only. The app's
 * `routes`, `matchedRoutes(c)` and `showRoutes` still show its own handlers.
 *
 * Why not Hono's Context API read from a first middleware after `await
 * next()`: `c.req.routeIndex` stays on the last route that ran, so a last
 * route that passed the request on (`next()`) to the not-found handler
 * looks the same as one that answered. The wrapper knows: a route names
 * the span when its handler returns, throws or settles without having
 * called `next`. A 404 of Hono's not-found handler keeps the plain method.
 *
 * Middleware (`app.use('*')`, `app.use('/api/*')`: method ALL on a path that
 * ends in `*`) is left unwrapped and never names the span; so is what
 * `mount()` adds. The `hono/tiny` and `hono/quick` presets export Hono
 * classes of their own, which this does not hook.
 */
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { reporter } from '../diag';
import { ModuleHookInstrumentation, Replacements } from '../core/module-hook';
import type { ModuleHook } from '../core/module-hook';
import { setActiveRoute } from './server-span-route';

/** The Hono majors whose router and `[handler, RouterRoute]` entries this hook expects. */
export const SUPPORTED_HONO_VERSIONS = ['>=4 <5'];

const PATCHED = Symbol.for('tracehop.hono.patched');
const ROUTER_HOOKED = Symbol.for('tracehop.hono.router-hooked');

type Handler = (this: unknown, c: HonoContext, next: unknown) => unknown;
interface HonoContext {
  req?: { method?: unknown };
}
interface RouterLike {
  add?: unknown;
  [ROUTER_HOOKED]?: boolean;
}
// A mixin base: TypeScript requires `any[]` for the arguments of a class another class extends (TS2545).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type HonoClass = (new (...args: any[]) => { router?: RouterLike }) & { [PATCHED]?: boolean };

/**
 * `disable()` puts back the `Hono` class `hono` exported. Apps made from the
 * subclass while the hook was in force keep it, and their routes keep
 * naming the span: an object made cannot be unmade.
 */
export class HonoRoutesInstrumentation extends ModuleHookInstrumentation {
  constructor(config: InstrumentationConfig = {}) {
    super('tracehop-hono-routes', config);
  }

  protected hooks(): ModuleHook[] {
    return [{ module: 'hono', versions: SUPPORTED_HONO_VERSIONS, patch: (moduleExports, replacements) => patchHonoModule(moduleExports, replacements) }];
  }
}

/** Whether these `hono` exports have the route-name hook. */
export function isHookedHono(moduleExports: unknown): boolean {
  return (moduleExports as { Hono?: HonoClass } | undefined)?.Hono?.[PATCHED] === true;
}

/**
 * Replaces `Hono` in these `hono` exports (CommonJS, or an ES module
 * namespace: both have the named export) with the subclass; the original is
 * noted in `replacements`, to be put back.
 */
export function patchHonoModule(moduleExports: unknown, replacements = new Replacements()): unknown {
  const hono = moduleExports as { Hono?: unknown } | undefined;
  const Original = hono?.Hono as HonoClass | undefined;
  if (hono === undefined || typeof Original !== 'function' || Original[PATCHED]) return moduleExports;
  try {
    replacements.replace(hono, 'Hono', namingSubclass(Original));
  } catch (error) {
    reporter.warn('hono-hook', `route names: could not hook Hono, its requests are named by method only (${String(error)})`);
  }
  return moduleExports;
}

function namingSubclass(Original: HonoClass): HonoClass {
  // Named Hono too, so that the app's stack traces and `constructor.name` read as before.
  const Hono = class Hono extends Original {
    // Hono's own constructor arguments, passed on untouched (a mixin constructor takes `any[]`, TS2545).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- Hono's arguments, as the app gave them
      super(...args);
      hookRouter(this.router);
    }
  };
  Object.defineProperty(Hono, PATCHED, { value: true });
  return Hono;
}

/** Wraps `add` of this app's router. A router shared with `basePath()` copies, or given to two apps, is wrapped once. */
function hookRouter(router: RouterLike | undefined): void {
  try {
    const add = router?.add;
    if (router === undefined || typeof add !== 'function' || router[ROUTER_HOOKED]) return;
    router.add = function addNamingRoute(this: unknown, method: unknown, path: unknown, stored: unknown) {
      // Hono's own errors (a route added after the first request) reach the app as they would untraced.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- what Hono's own add returns, passed back as is
      return add.call(this, method, path, withRouteNaming(stored));
    };
    Object.defineProperty(router, ROUTER_HOOKED, { value: true });
  } catch (error) {
    reporter.warn('hono-hook', `route names: could not hook a Hono router, its requests are named by method only (${String(error)})`);
  }
}

/**
 * The route template that names the span when this entry's handler answers:
 * the entry's `path`, or `null` for middleware (method ALL on a path ending
 * in `*`: `use('*')`, `use('/api/*')`, a mount) and for entries not shaped
 * as Hono 4 makes them. Pure.
 */
export function honoRouteTemplate(route: unknown): string | null {
  const { method, path } = (route ?? {}) as { method?: unknown; path?: unknown };
  if (typeof path !== 'string' || path === '' || typeof method !== 'string') return null;
  if (method === 'ALL' && (path === '*' || path.endsWith('/*'))) return null;
  return path;
}

/** The router entry `[handler, RouterRoute]`, with the handler wrapped to name its route; anything else unchanged. */
function withRouteNaming(stored: unknown): unknown {
  try {
    if (!Array.isArray(stored) || typeof stored[0] !== 'function') return stored;
    const template = honoRouteTemplate(stored[1]);
    if (template === null) return stored;
    const entry = stored.slice();
    entry[0] = namingHandler(stored[0] as Handler, template);
    return entry;
  } catch (error) {
    reporter.warn('hono-route', `route names: could not hook a Hono route, its requests are named by method only (${String(error)})`);
    return stored;
  }
}

/**
 * Calls the route's handler with a `next` that notes the handler passed the
 * request on. Hono gets the handler's own result (or throw) unchanged; a
 * handler that answered, or threw, names the span when it returns or settles.
 */
function namingHandler(handler: Handler, template: string): Handler {
  return function honoRoute(this: unknown, c: HonoContext, next: unknown) {
    let passedOn = false;
    const passOn =
      typeof next !== 'function'
        ? next
        : function (this: unknown, ...args: unknown[]) {
            passedOn = true;
            return (next as (...a: unknown[]) => unknown).apply(this, args);
          };
    const answered = () => {
      if (!passedOn) nameRoute(c, template);
    };
    let result: unknown;
    try {
      result = handler.call(this, c, passOn);
    } catch (error) {
      // A throw is answered by the app's error handler (a 500): the route it came from still names the span.
      answered();
      throw error;
    }
    // A side branch only: Hono still awaits the handler's own promise, and this reaction, registered first, runs before Hono's.
    if (result instanceof Promise) result.then(answered, answered);
    else answered();
    return result;
  };
}

function nameRoute(c: HonoContext, template: string): void {
  try {
    setActiveRoute('hono', c?.req?.method, template);
  } catch (error) {
    reporter.warn('hono-route', `route names: could not name a Hono route (${String(error)})`);
  }
}
