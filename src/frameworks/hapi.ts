/**
 * Route names for Hapi 21 (`/users/{id}`). Hapi publishes no diagnostics
 * channel, so this wraps, minimally, the server factory (`Hapi.server`, also
 * exported as `Hapi.Server`): each server made gets one `onPreAuth` server
 * extension, the first point of the request lifecycle after routing, which
 * names the server span after `request.route.path` (the full template,
 * plugin prefixes included). Hapi's 404 handler is a special route that runs
 * no such extension, so an unmatched request keeps its plain method name.
 */
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { reporter } from '../diag';
import { ModuleHookInstrumentation, Replacements } from '../core/module-hook';
import type { ModuleHook } from '../core/module-hook';
import { isModuleNamespace } from '../core/module-namespace';
import { setActiveRoute } from './server-span-route';
import { HAPI_PATCHED_KEY as PATCHED } from '../core/shared-state';

/** The Hapi majors whose server factory and `onPreAuth` this hook expects. */
export const SUPPORTED_HAPI_VERSIONS = ['>=20 <22'];

interface HapiRequest {
  method?: string;
  route?: { path?: unknown };
}
interface HapiToolkit {
  continue: symbol;
}
interface HapiServer {
  ext(event: 'onPreAuth', method: (request: HapiRequest, h: HapiToolkit) => symbol): void;
}
type ServerFactory = ((this: unknown, ...args: unknown[]) => HapiServer) & { [PATCHED]?: boolean };
type HapiExports = { server?: ServerFactory; Server?: ServerFactory };

/**
 * `disable()` puts back Hapi's own `server` and `Server`. A server made
 * while the hook was in force keeps its extension (Hapi has no way to remove
 * one), which names nothing once the hook is restored.
 */
export class HapiRoutesInstrumentation extends ModuleHookInstrumentation {
  constructor(config: InstrumentationConfig = {}) {
    super('tracehop-hapi-routes', config);
  }

  protected hooks(): ModuleHook[] {
    return [{ module: '@hapi/hapi', versions: SUPPORTED_HAPI_VERSIONS, patch: (moduleExports, replacements) => patchHapiModule(moduleExports, replacements) }];
  }
}

/** Whether these `@hapi/hapi` exports have the route-name hook. */
export function isHookedHapi(moduleExports: unknown): boolean {
  const hapi = moduleExports as HapiExports | undefined;
  return hapi?.server?.[PATCHED] === true;
}

/**
 * Wraps the server factory of these `@hapi/hapi` exports (CommonJS, or an
 * ES module namespace); what it replaces is noted in `replacements`, to be
 * put back.
 */
export function patchHapiModule(moduleExports: unknown, replacements = new Replacements()): unknown {
  const targets = [moduleExports as HapiExports];
  if (isModuleNamespace(moduleExports)) targets.push((moduleExports as { default?: HapiExports }).default ?? {});
  for (const hapi of targets) {
    const original = hapi.server;
    if (typeof original !== 'function' || original[PATCHED]) continue;
    const patched = wrapFactory(original, replacements);
    replacements.replace(hapi, 'server', patched);
    if (hapi.Server === original) replacements.replace(hapi, 'Server', patched);
  }
  return moduleExports;
}

function wrapFactory(original: ServerFactory, replacements: Replacements): ServerFactory {
  const onPreAuth = (request: HapiRequest, h: HapiToolkit): symbol => {
    if (replacements.inForce) nameAfterRoute(request);
    return h.continue;
  };
  // A plain function that returns the server, so `new Hapi.Server()` still gets that object.
  const patched = function server(this: unknown, ...args: unknown[]) {
    const made = original.apply(this, args);
    try {
      made.ext('onPreAuth', onPreAuth);
    } catch (error) {
      // The server is made; what is lost is route names on its spans.
      reporter.warn(
        'route hapi extension',
        `route names: could not add the Hapi onPreAuth extension; its spans keep method-only names: ${error instanceof Error ? error.message : typeof error}`,
      );
    }
    return made;
  } as ServerFactory;
  patched[PATCHED] = true;
  return patched;
}

function nameAfterRoute(request: HapiRequest): void {
  const template = request.route?.path;
  if (typeof template === 'string') setActiveRoute('hapi', request.method, template);
}
