/**
 * Route names for Koa with @koa/router (prefixes and nested routers
 * included: the router stores the full template on the matched layer and
 * puts it in `ctx._matchedRoute`). Koa publishes no diagnostics channel, so
 * this patches one method, minimally: `Router#middleware` (which `routes()`
 * calls), to wrap the dispatch function it returns. After the router has
 * matched (synchronously, and again when its chain settles, for a router
 * reached after an `await`), the matched template names the server span.
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { isModuleNamespace } from '../core/module-namespace';
import { setActiveRoute } from './server-span-route';
import { KOA_ROUTER_PATCHED_KEY as PATCHED } from '../core/shared-state';

/** The @koa/router majors that set `ctx._matchedRoute` as this hook expects. */
export const SUPPORTED_KOA_ROUTER_VERSIONS = ['>=9 <16'];


interface KoaContext { method?: string; _matchedRoute?: unknown }
type Dispatch = (this: unknown, ctx: KoaContext, next: unknown) => unknown;
type RouterPrototype = { middleware?: unknown; [PATCHED]?: boolean };

export class KoaRouterRoutesInstrumentation extends InstrumentationBase<InstrumentationConfig> {
  constructor(config: InstrumentationConfig = {}) {
    super('tracehop-koa-router-routes', '1.0.0', config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        '@koa/router',
        SUPPORTED_KOA_ROUTER_VERSIONS,
        (moduleExports: unknown) => patchKoaRouterModule(moduleExports),
        (moduleExports: unknown) => moduleExports,
      ),
    ];
  }
}

/** Whether these `@koa/router` exports have the route-name hook. */
export function isHookedKoaRouter(moduleExports: unknown): boolean {
  return routerPrototype(moduleExports)?.[PATCHED] === true;
}

/** Patches `Router#middleware` of these `@koa/router` exports (CommonJS, or an ES module namespace). */
export function patchKoaRouterModule(moduleExports: unknown): unknown {
  const proto = routerPrototype(moduleExports);
  const original = proto?.middleware;
  if (proto === undefined || typeof original !== 'function' || proto[PATCHED]) return moduleExports;
  proto.middleware = function (this: unknown, ...args: unknown[]) {
    const dispatch = original.apply(this, args) as Dispatch & Record<string, unknown>;
    if (typeof dispatch !== 'function') return dispatch;
    const named = function dispatchNamingRoute(this: unknown, ctx: KoaContext, next: unknown) {
      const result = dispatch.call(this, ctx, next);
      nameRoute(ctx);
      if (typeof (result as Promise<unknown> | undefined)?.then === 'function') {
        // A side branch only: the app and Koa still get the router's own promise.
        (result as Promise<unknown>).then(() => nameRoute(ctx), () => undefined);
      }
      return result;
    };
    // Koa code reads `dispatch.router` (nested routers are found through it).
    for (const key of Object.keys(dispatch)) (named as unknown as Record<string, unknown>)[key] = dispatch[key];
    return named;
  };
  proto[PATCHED] = true;
  return moduleExports;
}

/** The template each context was last named with, so that the settled re-check does no work when nothing changed. */
const lastNamed = new WeakMap<object, unknown>();

function nameRoute(ctx: KoaContext): void {
  const template = ctx?._matchedRoute;
  if (typeof template !== 'string' || lastNamed.get(ctx) === template) return;
  lastNamed.set(ctx, template);
  setActiveRoute('koa', ctx.method, template);
}

function routerPrototype(moduleExports: unknown): RouterPrototype | undefined {
  const Router = (isModuleNamespace(moduleExports) ? (moduleExports as { default?: unknown }).default : moduleExports) as
    (Function & { prototype?: RouterPrototype }) | undefined;
  return typeof Router === 'function' ? Router.prototype : undefined;
}
