/**
 * The ES module half of module hooking. `require` is hooked by the
 * instrumentations themselves (require-in-the-middle); `import`, and a
 * `require` that another tool's module hooks serve (tsx on Node 24 and
 * later), need a module loader hook.
 *
 * We register import-in-the-middle's hooks, through the copy that
 * @opentelemetry/instrumentation depends on, so the hooks and the
 * instrumentations share one registry. Its `include` list limits wrapping
 * to the modules we instrument: every other import stays untouched.
 * Builtins are listed by bare name; the hooks add their `node:` forms.
 *
 * Where Node runs `module.registerHooks` correctly (22.22.3+, 24.11.1+,
 * 26), the hooks are synchronous and run in the app's own thread: no loader
 * thread, no start-up cost to speak of, and every import is seen, including
 * the static imports of an ES module that the app requires. There the list
 * also grows with the modules of every instrumentation the app registers
 * itself, after our preload (`registerInstrumentations` in its own preload):
 * see `includedModules`. On the older
 * patch releases of 22 and 24 that tracehop still supports, the hooks run in
 * Node's loader thread through `module.register`, as OpenTelemetry's own
 * instructions do.
 */
import * as nodeModule from 'node:module';
import { dirname, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { LOADER_ALREADY_GIVEN, instrumentedModules } from '../introspection/module-hook-state';
import type { EsmHookStatus } from '../introspection/module-hook-state';
import { versionAtLeast } from '../core/version-at-least';
import type { EsmHookSetting } from '../config';

/** The asynchronous loader, as @opentelemetry/instrumentation ships it (a re-export of import-in-the-middle's). */
export const ESM_LOADER = '@opentelemetry/instrumentation/hook.mjs';

/** import-in-the-middle's synchronous hooks, registered with `module.registerHooks` (its documented entry). */
const SYNC_HOOKS = 'import-in-the-middle/register-hooks.mjs';

/** import-in-the-middle's main entry, for its documented `createAddHookMessageChannel`. */
const IITM = 'import-in-the-middle';

/** The loader given by hand, as OpenTelemetry's older instructions say: `--experimental-loader=@opentelemetry/instrumentation/hook.mjs`. */
const LOADER_ON_COMMAND_LINE = /(import-in-the-middle|@opentelemetry\/instrumentation)\/hook\.mjs/;

export { isModuleHooksThread } from './preload-gate';
export { LOADER_ALREADY_GIVEN, instrumentedModules } from '../introspection/module-hook-state';
export type { EsmHookMode, EsmHookStatus } from '../introspection/module-hook-state';

/** What registering needs from Node and the packages; tests pass their own. */
export interface HookRegistrars {
  /** Resolves a package path as seen from @opentelemetry/instrumentation. */
  readonly resolve: (request: string) => string;
  /** Loads a module by absolute path (`require`, which loads ES modules too on supported Nodes). */
  readonly load: (file: string) => unknown;
  /** `module.register`, where Node has it. */
  readonly register: typeof nodeModule.register | undefined;
  readonly execArgv: readonly string[];
  readonly isMainThread: boolean;
  /** The names in each `Hook(...)` made after this call, read synchronously; undefined if import-in-the-middle cannot report them. */
  readonly laterHooks: () => LaterHooks | undefined;
  /** The version of the import-in-the-middle copy the instrumentations use. */
  readonly iitmVersion: () => string | undefined;
}

/** The module names of the import-in-the-middle `Hook`s made since the last `take()`. */
export interface LaterHooks {
  take(): readonly string[];
}

interface SyncHooksModule {
  supportsSyncHooks(): boolean;
  // `shouldInclude` is documented in import-in-the-middle's README ("Custom
  // matching with shouldInclude"), though its register-hooks.d.mts does not
  // type it yet; with it, `include` is ignored.
  register(options: { include: string[]; shouldInclude?: (url: string, specifier: string) => boolean }): void;
}

interface IitmMain {
  createAddHookMessageChannel(): { addHookMessagePort: MessagePort };
}

/**
 * Every later `Hook(modules, …)` of import-in-the-middle posts `modules` on
 * the channel that `createAddHookMessageChannel` (documented, marked
 * experimental) creates; its README hands the port to the loader thread and
 * waits for acknowledgements. Our hooks run in the app's thread instead, so
 * they read the port synchronously with `receiveMessageOnPort`, each time a
 * module is resolved: a `Hook` made before an import is always seen by that
 * import, with no event-loop turn in between and nothing to wait for. The
 * port gets no listener, so it never keeps the process alive.
 */
function laterHooksOf(iitm: IitmMain): LaterHooks {
  const { addHookMessagePort } = iitm.createAddHookMessageChannel();
  return {
    take: () => {
      const names: string[] = [];
      for (let received = receiveMessageOnPort(addHookMessagePort); received !== undefined; received = receiveMessageOnPort(addHookMessagePort)) {
        if (Array.isArray(received.message)) names.push(...received.message.filter((name): name is string => typeof name === 'string'));
      }
      return names;
    },
  };
}

function nodeRegistrars(): HookRegistrars {
  const instrumentationDir = dirname(require.resolve('@opentelemetry/instrumentation'));
  return {
    resolve: request => require.resolve(request, { paths: [instrumentationDir] }),
    load: file => require(file),
    register: (nodeModule as { register?: typeof nodeModule.register }).register,
    execArgv: process.execArgv,
    isMainThread,
    laterHooks: () => laterHooksOf(require(require.resolve(IITM, { paths: [instrumentationDir] })) as IitmMain),
    // The package has no exports map: its package.json is as public as its entry.
    iitmVersion: () => (require(require.resolve(`${IITM}/package.json`, { paths: [instrumentationDir] })) as { version?: string }).version,
  };
}

/**
 * Which resolved imports our in-thread hooks wrap: those of `include`, and
 * those of every import-in-the-middle `Hook` made later in this thread, which
 * is what an instrumentation's `enable()` makes for each module it hooks. A
 * module name matches the import's bare specifier, or for a builtin its
 * `node:` URL too, or an absolute path its file, as import-in-the-middle's
 * own `include` matching does. One Set lookup per import; the port is read
 * only while instrumentations keep registering.
 */
export function includedModules(include: readonly string[], laterHooks: LaterHooks | undefined): (url: string, specifier: string) => boolean {
  const names = new Set<string>();
  let absolutePaths = false;
  const add = (name: string) => {
    names.add(name);
    if (nodeModule.isBuiltin(name) && !name.startsWith('node:')) names.add(`node:${name}`);
    if (isAbsolute(name)) absolutePaths = true;
  };
  include.forEach(add);
  return (url, specifier) => {
    // Runs inside every import of the app: nothing may throw from here.
    try {
      if (laterHooks !== undefined) laterHooks.take().forEach(add);
      if (names.has(specifier) || names.has(url)) return true;
      return absolutePaths && url.startsWith('file:') && names.has(fileURLToPath(url));
    } catch {
      // A URL fileURLToPath refuses (a host, an encoded slash) names no module of ours: left unwrapped, as import-in-the-middle's own matcher does.
      return false;
    }
  };
}

/**
 * Hooks `import` of the instrumented modules, unless TRACEHOP_ESM_HOOK=false.
 * Never throws: a failed registration leaves `import` unhooked and says why.
 */
export function hookImports(setting: EsmHookSetting, instrumentations: readonly Instrumentation[], given?: HookRegistrars): EsmHookStatus {
  if (setting === 'false') return { state: 'off', reason: 'TRACEHOP_ESM_HOOK=false' };
  let registrars: HookRegistrars;
  try {
    registrars = given ?? nodeRegistrars();
  } catch (error) {
    // Not lost: the reason is the result, which start.ts and the start-up facts report.
    return { state: 'off', reason: `@opentelemetry/instrumentation could not be found: ${describe(error)}` };
  }
  const include = instrumentedModules(instrumentations);
  if (include.length === 0) return { state: 'off', reason: 'no instrumented modules' };
  // A second loader would wrap every included module twice; the one already there serves our hooks as well.
  if (registrars.execArgv.some(arg => LOADER_ON_COMMAND_LINE.test(arg))) return { state: 'off', reason: LOADER_ALREADY_GIVEN };
  let syncHooks: SyncHooksModule;
  try {
    syncHooks = registrars.load(registrars.resolve(SYNC_HOOKS)) as SyncHooksModule;
  } catch (error) {
    // Not lost: reported with the result, as above.
    return { state: 'off', reason: `import-in-the-middle's hooks could not be loaded: ${describe(error)}` };
  }
  if (syncHooks.supportsSyncHooks()) {
    // Synchronous hooks belong to the thread that registers them: each of the app's worker threads registers its own.
    try {
      // Without the channel, tracehop's own list still applies: the app's later instrumentations then cover require() only.
      let laterHooks: LaterHooks | undefined;
      const limitation = laterHooksLimitation(registrars);
      try {
        laterHooks = limitation === undefined ? registrars.laterHooks() : undefined;
      } catch {
        // Not lost: tracehop's own list still applies (the comment above), and the limitation is reported with the result.
        laterHooks = undefined;
      }
      syncHooks.register({ include: [...include], shouldInclude: includedModules(include, laterHooks) });
      return { state: 'registered', mode: 'in-thread', include: [...include], ...(limitation === undefined ? {} : { limitation }) };
    } catch (error) {
      // Not lost: reported with the result, as above.
      return { state: 'off', reason: `module.registerHooks failed: ${describe(error)}` };
    }
  }
  // The loader thread serves every thread of the process: registered once, from the main thread.
  if (!registrars.isMainThread) return { state: 'off', reason: "not the main thread (its imports go through the main thread's loader)" };
  if (registrars.register === undefined) return { state: 'off', reason: `module.register is missing from Node ${process.version}` };
  try {
    registrars.register(pathToFileURL(registrars.resolve(ESM_LOADER)), { data: { include: [...include] } });
    return { state: 'registered', mode: 'loader-thread', include: [...include] };
  } catch (error) {
    // Not lost: reported with the result, as above.
    return { state: 'off', reason: `module.register failed: ${describe(error)}` };
  }
}

/** import-in-the-middle takes `shouldInclude` from 3.2.0: an older copy (an app may pin one) wraps tracehop's own modules only. */
const SHOULD_INCLUDE_SINCE: readonly [number, number] = [3, 2];

function laterHooksLimitation(registrars: HookRegistrars): string | undefined {
  let version: string | undefined;
  try {
    version = registrars.iitmVersion();
  } catch {
    // An unreadable version counts as an old one: the limitation is then reported, nothing lost.
    version = undefined;
  }
  if (versionAtLeast(version, SHOULD_INCLUDE_SINCE)) return undefined;
  return `import-in-the-middle ${version ?? '(version unknown)'} is older than ${SHOULD_INCLUDE_SINCE.join('.')}: instrumentations the app adds itself are hooked on require only, not on import; install import-in-the-middle ${SHOULD_INCLUDE_SINCE.join('.')} or later`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
