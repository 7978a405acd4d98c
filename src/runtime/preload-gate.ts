/**
 * What the preload decides before it loads anything else: whether this Node
 * can run tracehop at all, whether this thread is one tracehop traces, and
 * whether Node's compile cache is to serve what loads next (TRACEHOP_COMPILE_CACHE).
 * No imports but Node's own (and config/compile-cache.ts, which has no others),
 * so that it runs on any Node and a broken or too-new dependency cannot keep
 * it from answering.
 *
 * Node 22.15 is the floor: OpenTelemetry JS 3.x requires it, and it is the
 * first 22 release with `module.registerHooks`. On an older Node the SDK
 * would half work (its packages use newer runtime features); one line and no
 * tracing is the clear answer.
 */
import { isMainThread, parentPort } from 'node:worker_threads';

export { enableCompileCacheIfAsked } from '../config/compile-cache';

/** The oldest Node tracehop runs on, as [major, minor, patch]. */
export const MINIMUM_NODE: readonly [number, number, number] = [22, 15, 0];

/** The line to print when `version` (as in `process.versions.node`) is too old; undefined when it is supported. Pure. */
export function unsupportedNodeMessage(version: string): string | undefined {
  const parts = version.split('.').map(part => Number.parseInt(part, 10));
  if (parts.length < 3 || parts.some(Number.isNaN)) return undefined;
  for (let i = 0; i < 3; i++) {
    if (parts[i] !== MINIMUM_NODE[i]) {
      if (parts[i] > MINIMUM_NODE[i]) return undefined;
      break;
    }
  }
  if (parts.every((part, i) => part === MINIMUM_NODE[i])) return undefined;
  return `tracehop error: Node.js ${version} is not supported (${MINIMUM_NODE.join('.')} or later is): tracing is off, the app runs untraced\n`;
}

/**
 * The thread that runs `module.register`'s loader hooks (on the older 22 and
 * 24 releases, where tracehop's import hooks run there). Node starts it with
 * the process's `execArgv`, so it runs our `-r` preload too; it is a worker
 * that, unlike an app's `Worker`, has no `parentPort`.
 */
export function isModuleHooksThread(): boolean {
  return !isMainThread && parentPort === null;
}

/** The line to print when loading tracehop itself failed (a broken install): the app runs untraced. */
export function loadFailureMessage(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `tracehop error: start-up failed, tracing is off: ${reason.replace(/[\r\n]+/g, ' ')}\n`;
}
