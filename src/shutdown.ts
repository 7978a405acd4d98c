/**
 * Bounded flushing. A hung collector must never hold an exiting app hostage:
 * every flush races a timer, and a timeout is reported, not thrown.
 */
import { tracehopDiag } from './diag';

/** Runs `flush`, resolving when it settles or after `timeoutMillis`, whichever is first. Never rejects. */
export function flushWithin(flush: () => Promise<unknown>, timeoutMillis: number, what: string): Promise<void> {
  return new Promise<void>(resolve => {
    const timer = setTimeout(() => {
      tracehopDiag.warn(`${what} did not finish within ${timeoutMillis} ms; spans still queued are dropped`);
      resolve();
    }, timeoutMillis);
    let pending: Promise<unknown>;
    try {
      pending = flush();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      () => { clearTimeout(timer); resolve(); },
      (error: unknown) => {
        clearTimeout(timer);
        tracehopDiag.warn(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
        resolve();
      },
    );
  });
}
