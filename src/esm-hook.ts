/**
 * The ES module half of module hooking. `require` is hooked by the
 * instrumentations themselves (require-in-the-middle); `import` needs a module
 * loader hook, which Node 20.6+ lets a preload register with `module.register`.
 *
 * We register import-in-the-middle's loader, through the copy that
 * @opentelemetry/instrumentation depends on, so the loader and the
 * instrumentations' hooks share one registry. Its `include` list limits
 * wrapping to the modules we instrument: every other import stays untouched,
 * which keeps start-up and module loading cheap. Builtins are listed by bare
 * name; the loader adds their `node:` forms itself.
 *
 * The loader runs in a thread of its own, which costs start-up time and
 * memory (about 50 ms and 10 MB on a 2-core machine, docs/performance.md).
 * By default (`auto`) it is registered as the app starts only when it
 * starts through ES modules: an ES module entry point, an `--import`, a
 * loader or a module type flag on the command line. A CommonJS app is
 * hooked by `require`, and gets the loader the first time it requires an
 * ES module (esm-on-require.ts), whose imports `require` does not see.
 */
import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort } from 'node:worker_threads';
import type { Instrumentation, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';
import type { EsmHookSetting } from './config';
import type { EntryModuleSystem } from './facts/module-system';

/** The loader, as @opentelemetry/instrumentation ships it (a re-export of import-in-the-middle's). */
export const ESM_LOADER = '@opentelemetry/instrumentation/hook.mjs';

/** The loader given by hand, as OpenTelemetry's older instructions say: `--experimental-loader=@opentelemetry/instrumentation/hook.mjs`. */
const LOADER_ON_COMMAND_LINE = /(import-in-the-middle|@opentelemetry\/instrumentation)\/hook\.mjs/;

/** Why the hook is off when such a loader is already there: then `import` is hooked all the same. */
export const LOADER_ALREADY_GIVEN = 'an import-in-the-middle loader is already on the command line';

export type EsmHookStatus =
  | { readonly state: 'registered'; readonly include: readonly string[] }
  /** A CommonJS app under `auto`: registered the first time it requires an ES module (esm-on-require.ts). */
  | { readonly state: 'when-required'; readonly reason: string; readonly include: readonly string[] }
  | { readonly state: 'off'; readonly reason: string };

/**
 * The thread that runs `module.register`'s loader hooks. Node starts it with
 * the process's `execArgv`, so it runs our `-r` preload too. It is a worker
 * that, unlike an app's `Worker`, has no `parentPort`.
 */
export function isModuleHooksThread(): boolean {
  return !isMainThread && parentPort === null;
}

/** The module names the instrumentations hook, in order, without repeats. */
export function instrumentedModules(instrumentations: readonly Instrumentation[]): string[] {
  const names = new Set<string>();
  for (const instrumentation of instrumentations) {
    // Instrumentations built on InstrumentationBase list their modules; others (none of ours) hook nothing by module.
    const definitions = (instrumentation as { getModuleDefinitions?: () => InstrumentationModuleDefinition[] }).getModuleDefinitions?.() ?? [];
    for (const definition of definitions) names.add(definition.name);
  }
  return [...names];
}

/** How the app was started, for TRACEHOP_ESM_HOOK=auto. */
export interface AppStart {
  /**
   * The entry script's module system, by Node's rules (src/facts/module-system.ts), for the file Node resolves it to.
   * Asked only when the options leave it open: deciding may read and compile the entry script.
   */
  readonly entry: () => EntryModuleSystem;
  /** Node's options: `process.execArgv`, then NODE_OPTIONS. */
  readonly nodeOptions: readonly string[];
}

/** Options that load ES modules at start-up. */
const LOADING_OPTIONS = /^--(import|experimental-loader|loader)(=|$)/;
/** Options that make the entry (or -e, stdin) an ES module, given as `--option=module` or `--option module`. */
const MODULE_TYPE_OPTIONS = new Set(['--experimental-default-type', '--input-type']);

function makesEsModules(options: readonly string[]): boolean {
  return options.some((option, i) => {
    if (LOADING_OPTIONS.test(option)) return true;
    const equals = option.indexOf('=');
    if (equals !== -1) return MODULE_TYPE_OPTIONS.has(option.slice(0, equals)) && option.slice(equals + 1) === 'module';
    return MODULE_TYPE_OPTIONS.has(option) && options[i + 1] === 'module';
  });
}

/** Whether TRACEHOP_ESM_HOOK=auto registers the hook for this app; when it does not, why. Pure. */
export function esmHookWanted(start: AppStart): { readonly wanted: true } | { readonly wanted: false; readonly reason: string } {
  if (makesEsModules(start.nodeOptions)) return { wanted: true };
  const entry = start.entry();
  if (entry.system === 'esm') return { wanted: true };
  if (entry.system === 'unknown') return { wanted: false, reason: `TRACEHOP_ESM_HOOK=auto, ${entry.reason}, and no ES module option` };
  return { wanted: false, reason: `TRACEHOP_ESM_HOOK=auto, and the entry point is CommonJS (${entry.reason})` };
}

/**
 * Hooks `import` of the instrumented modules, as TRACEHOP_ESM_HOOK says.
 * Under `auto`, a CommonJS app's hook waits for `whenEsModuleRequired`,
 * which calls back just before the app first requires an ES module.
 */
export function hookImports(
  setting: EsmHookSetting,
  instrumentations: readonly Instrumentation[],
  start: AppStart,
  whenEsModuleRequired?: (register: (filename: string) => void) => void,
  onLateRegistration: (status: EsmHookStatus, filename: string) => void = () => undefined,
): EsmHookStatus {
  if (setting === 'false') return { state: 'off', reason: 'TRACEHOP_ESM_HOOK=false' };
  const include = instrumentedModules(instrumentations);
  if (setting === 'auto') {
    const decision = esmHookWanted(start);
    if (!decision.wanted) {
      if (whenEsModuleRequired === undefined || !isMainThread || include.length === 0) return { state: 'off', reason: decision.reason };
      whenEsModuleRequired(filename => onLateRegistration(registerEsmHook(include), filename));
      return { state: 'when-required', reason: decision.reason, include };
    }
  }
  return registerEsmHook(include);
}

/**
 * Registers the loader for `include`. Never throws: a Node without
 * `module.register`, a worker thread (whose imports go through the main
 * thread's hooks) or a failed registration leaves `import` unhooked and says why.
 */
export function registerEsmHook(
  include: readonly string[],
  resolve: (request: string) => string = require.resolve,
  execArgv: readonly string[] = process.execArgv,
): EsmHookStatus {
  if (!isMainThread) return { state: 'off', reason: 'not the main thread' };
  if (include.length === 0) return { state: 'off', reason: 'no instrumented modules' };
  // A second loader would wrap every included module twice; the one already there serves our hooks as well.
  if (execArgv.some(arg => LOADER_ON_COMMAND_LINE.test(arg))) return { state: 'off', reason: LOADER_ALREADY_GIVEN };
  const register = (nodeModule as { register?: typeof nodeModule.register }).register;
  if (typeof register !== 'function') return { state: 'off', reason: `module.register is missing from Node ${process.version} (20.6 or later has it)` };
  try {
    register(pathToFileURL(resolve(ESM_LOADER)), { data: { include: [...include] } });
    return { state: 'registered', include: [...include] };
  } catch (error) {
    return { state: 'off', reason: `module.register failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
