/**
 * Route names: the request's SERVER span gets `http.route` (the route
 * template) and the name `METHOD template`, per the HTTP semantic
 * conventions, with no span per middleware. A request that matched no route
 * keeps its plain `METHOD` name.
 *
 * What it hooks, when the app loads the framework (none is a dependency):
 * - Express 5: the `express.router.request` TracingChannel of `router` 2.3+ (express-router-channel.ts; no patching).
 * - Express 4 (and Express 5 on an older `router`): `Router#use` and `Router#route` (express.ts; a minimal patch, no channel there).
 * Express's routes name the span only if they answered (answered-route.ts, on `http.server.response.finish`).
 * - Koa with @koa/router: its route methods (`get`, `all`, ...), to hand the router Proxies of each route's middleware, which
 *   read `ctx._matchedRoute` as the route starts (koa.ts; a minimal patch). Only a route that answered names the span, as for Express.
 * - Hapi 21: the server factory, to add one `onPreAuth` extension per server (hapi.ts; a minimal patch).
 * - Hono 4: the `Hono` class, a subclass that wraps each app's `router.add` to wrap route handlers (hono.ts; a minimal patch).
 * - Fastify 4 and 5: the `fastify.initialization` diagnostics channel (fastify.ts; no patching).
 * NestJS on either platform is covered by the platform's hook.
 */
export { ExpressRoutesInstrumentation, isHookedExpress, SUPPORTED_EXPRESS_VERSIONS } from './express';
export { KoaRouterRoutesInstrumentation, isHookedKoaRouter, SUPPORTED_KOA_ROUTER_VERSIONS } from './koa';
export { HapiRoutesInstrumentation, isHookedHapi, SUPPORTED_HAPI_VERSIONS } from './hapi';
export { HonoRoutesInstrumentation, isHookedHono, SUPPORTED_HONO_VERSIONS } from './hono';
export { FastifyRoutesInstrumentation, FASTIFY_INITIALIZATION_CHANNEL } from './fastify';
export { frameworksWithRoutes, setActiveRoute, ATTR_HTTP_ROUTE } from './server-span-route';
export { joinRouteTemplates, routeSpanName } from './route-template';
