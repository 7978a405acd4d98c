/**
 * TRACEHOP_COMPILE_CACHE: Node's module compile cache (`module.enableCompileCache`,
 * Node 22.1 and later), switched on by the preload before the rest of tracehop
 * loads, so that its own modules and its dependencies are read from V8's code
 * cache instead of compiled again in every start-up (docs/performance.md,
 * "Start-up"). Off unless asked for: the cache is process-wide, so it also
 * covers the app's own modules, and it writes a directory. Being read before
 * the rest of the configuration, it applies with OTEL_SDK_DISABLED=true too.
 *
 * This file and index.ts are the only readers of `process.env`: this one for
 * the single setting acted on before anything else loads, with Node's own
 * modules only. A bad value is left to index.ts to report, with the others.
 */
import { constants, enableCompileCache, flushCompileCache } from 'node:module';
import { isAbsolute } from 'node:path';

export const COMPILE_CACHE_VARIABLE = 'TRACEHOP_COMPILE_CACHE';

/**
 * Node writes the cache when the process exits normally; a service stopped
 * with SIGKILL (a container's grace period over, a crash loop) would never
 * leave one, and would pay for building it in every start-up (measured: more
 * CPU to the port than no cache at all). So it is also written once, this
 * long after start, when a service has usually loaded what it needs: later
 * modules are written at a normal exit.
 */
export const COMPILE_CACHE_FLUSH_DELAY_MS = 5_000;

/** `false`: no cache; `true`: Node's own directory (NODE_COMPILE_CACHE, or node-compile-cache in the system's temporary directory); else a directory of the user's. */
export type CompileCacheSetting = { readonly cache: false } | { readonly cache: true; readonly directory: string | undefined };

/** The setting a value of TRACEHOP_COMPILE_CACHE asks for, or null when the value is neither `true`, `false` nor an absolute path. Pure. */
export function compileCacheSetting(value: string | undefined): CompileCacheSetting | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '' || trimmed.toLowerCase() === 'false') return { cache: false };
  if (trimmed.toLowerCase() === 'true') return { cache: true, directory: undefined };
  return isAbsolute(trimmed) ? { cache: true, directory: trimmed } : null;
}

/**
 * Switches the compile cache on when TRACEHOP_COMPILE_CACHE asks for it,
 * and has it written once start-up is over. Never throws: Node's call reports a cache it cannot open in its result
 * rather than throwing, and the app runs the same without one.
 */
export function enableCompileCacheIfAsked(): void {
  const setting = compileCacheSetting(process.env[COMPILE_CACHE_VARIABLE]);
  if (setting === null || !setting.cache) return;
  try {
    const { status } = enableCompileCache(setting.directory);
    if (status === constants.compileCacheStatus.ENABLED) setTimeout(flushCompileCache, COMPILE_CACHE_FLUSH_DELAY_MS).unref();
  } catch {
    // Nothing is lost: without the cache every module is compiled, as it would be untraced.
  }
}
