/**
 * Watches the modules that tracehop instruments being loaded, and checks each
 * time whether they came out hooked.
 *
 * It is an instrumentation itself, created after the real ones, so it rides
 * the same machinery (require-in-the-middle for `require`, import-in-the-middle
 * for `import`) and runs after them on every load: what it sees is what the
 * app gets. It changes nothing. It exists only when someone asked for the
 * facts (OTEL_LOG_LEVEL=debug or `tracehop doctor`).
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import { isHookedBullmq } from '../jobs';
import { isHookedExpress } from '../frameworks/express';
import { isHookedHapi } from '../frameworks/hapi';
import { isHookedHono } from '../frameworks/hono';
import { isHookedKoaRouter } from '../frameworks/koa';
import { isHookedPino } from '../logging/pino-hook';
import { isModuleNamespace } from '../core/module-namespace';
import { sentryCoreOf, sentrySupport } from '../sentry';
import { apiCopyState } from './api-copy-state';
import { API_MODULE } from './api-copy';
import type { ApiCopyState } from './api-copy';

export interface ModuleLoad {
  readonly module: string;
  /** The package's version; none for Node builtins. */
  readonly version?: string;
  /** `require`, or `import` (an ES module namespace, through the loader hook). */
  readonly via: 'require' | 'import';
  /** Whether the exports the app got are the instrumented ones; undefined when we cannot tell. */
  readonly hooked: boolean | undefined;
  /** For `@opentelemetry/api` only: whether this copy is tracehop's own, sees tracehop's tracer provider, or not. */
  readonly apiCopy?: ApiCopyState;
}

type HttpExports = { request?: unknown };

/** How to tell, from its exports, that a module was hooked. */
const HOOKED_CHECKS: Readonly<Record<string, (moduleExports: unknown) => boolean>> = {
  http: isHookedHttp,
  https: isHookedHttp,
  pino: isHookedPino,
  bullmq: isHookedBullmq,
  express: isHookedExpress,
  '@koa/router': isHookedKoaRouter,
  '@hapi/hapi': isHookedHapi,
  hono: isHookedHono,
  '@sentry/core': isHookedSentry,
};

/** The hook takes Sentry 11 with the functions it uses: the exports are read, never changed. */
function isHookedSentry(moduleExports: unknown): boolean {
  const core = sentryCoreOf(moduleExports);
  return core !== null && sentrySupport(String(core.SDK_VERSION)) === 'hooked';
}

// The outgoing side is what the module's exports show: the server side is
// tracehop's own span, on a diagnostics channel, unless
// TRACEHOP_SERVER_SPAN=instrumentation-http gives it back to the patch of `Server.prototype.emit`.
function isHookedHttp(moduleExports: unknown): boolean {
  const http = moduleExports as HttpExports | null | undefined;
  return isWrapped(http?.request);
}

/** Describes one load of a watched module. Pure: the exports are only read. */
export function describeLoad(module: string, moduleExports: unknown, version: string | undefined): ModuleLoad {
  const check = HOOKED_CHECKS[module];
  const apiCopy = module === API_MODULE ? apiCopyState(moduleExports) : undefined;
  return {
    module,
    ...(version === undefined ? {} : { version }),
    via: isModuleNamespace(moduleExports) ? 'import' : 'require',
    hooked: check === undefined ? undefined : check(moduleExports),
    ...(apiCopy === undefined ? {} : { apiCopy }),
  };
}

/**
 * Starts watching `modules`: `onLoad` runs once for each load the hooks see.
 * The class is made here so that `init()`, which the base constructor calls
 * before any field of ours is set, can read `modules` from the closure.
 */
export function watchModuleLoads(modules: readonly string[], onLoad: (load: ModuleLoad) => void): InstrumentationBase {
  class HookObserver extends InstrumentationBase {
    constructor() {
      super('tracehop-hook-observer', '1.0.0', {});
    }

    protected init() {
      return modules.map(
        module =>
          new InstrumentationNodeModuleDefinition(
            module,
            // Every version: a version the real hook does not support is a fact worth reporting.
            ['*'],
            (moduleExports: unknown, version?: string) => {
              try {
                onLoad(describeLoad(module, moduleExports, version));
              } catch {
                // The app's require or import must never fail because of a report about it.
              }
              return moduleExports;
            },
          ),
      );
    }
  }
  return new HookObserver();
}
