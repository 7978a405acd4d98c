/**
 * The way out. Bounded flushing: a hung collector must never hold an exiting
 * app hostage, so every flush races a timer, and a timeout is reported, not
 * thrown. Then what is left at process exit, and the span counts.
 */
import { tracehopDiag } from '../diag';
import type { ExportPipeline } from './export-pipeline';
import { describeExportStats } from './export-stats';

/** Runs `flush`, resolving when it settles or after `timeoutMillis`, whichever is first. Never rejects. */
export function flushWithin(flush: () => Promise<unknown>, timeoutMillis: number, what: string): Promise<void> {
  return new Promise<void>(resolve => {
    // 0: do not wait at all (the flush still starts), and nothing to report.
    const timer =
      timeoutMillis === 0
        ? setImmediate(resolve)
        : setTimeout(() => {
            tracehopDiag.warn(`${what} did not finish within ${timeoutMillis} ms; spans still queued are dropped`);
            resolve();
          }, timeoutMillis);
    let pending: Promise<unknown>;
    try {
      pending = flush();
    } catch (error) {
      // Reported below with the flush's other failures.
      pending = Promise.reject(error);
    }
    pending.then(
      () => {
        clearTimer(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimer(timer);
        tracehopDiag.warn(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
        resolve();
      },
    );
  });
}

function clearTimer(timer: NodeJS.Timeout | NodeJS.Immediate): void {
  if ('hasRef' in timer && 'refresh' in timer) clearTimeout(timer as NodeJS.Timeout);
  else clearImmediate(timer as NodeJS.Immediate);
}

/**
 * For an 'exit' listener (process.exit(), a crash, or the end after the
 * beforeExit flush): synchronous, and never throws, so the app's exit code
 * stays its own. See ExportPipeline.handOffAtExit.
 */
export function handOffAtExit(pipelines: readonly ExportPipeline[]): void {
  for (const pipeline of pipelines) {
    try {
      pipeline.handOffAtExit();
    } catch (error) {
      tracehopDiag.warn(`hand-off at exit failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * One line per pipeline with its span counts as the process ends: a warning
 * when spans were dropped or are left unsent, otherwise info (shown with
 * OTEL_LOG_LEVEL=info).
 */
export function reportExportStats(pipelines: readonly ExportPipeline[]): void {
  for (const pipeline of pipelines) {
    const stats = pipeline.stats.snapshot();
    const line = `span counts (${pipeline.name}): ${describeExportStats(stats)}`;
    if (stats.dropped > 0 || stats.queued + stats.inFlight > 0) tracehopDiag.warn(line);
    else tracehopDiag.info(line);
  }
}
