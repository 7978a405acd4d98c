/**
 * What tracehop does when the process ends or crashes: flush on SIGTERM and
 * SIGINT (and re-raise the signal when the app has no handler of its own),
 * flush when the event loop drains, hand off what is unsent at 'exit', and
 * record crashes on their request. The only code that touches the process's
 * signals and exit; `process` is passed in, so every rule here is
 * unit-tested with a fake one (test/unit/runtime/process-hooks.test.ts).
 */
import type { Config } from '../config';
import { reporter } from '../diag';
import { recordCrash } from '../errors';
import { flushWithin, handOffAtExit, reportExportStats } from '../export/shutdown';
import type { ExportPipeline } from '../export/export-pipeline';
import type { Sdk } from './traces-sdk';

/** What the hooks use of `process`: Node's own, or a fake in the tests. */
export type ProcessHooksTarget = Pick<NodeJS.Process, 'on' | 'removeListener' | 'listeners' | 'listenerCount' | 'kill' | 'pid' | 'exit'>
  // Optional: a fake process without a capture callback need not have it.
  & Partial<Pick<NodeJS.Process, 'hasUncaughtExceptionCaptureCallback'>>;

/** What there is to flush and hand off as the process ends. */
export interface ExitWork {
  readonly sdk: Pick<Sdk, 'shutdown'>;
  readonly spanProcessors: ReadonlyArray<{ forceFlush(): Promise<void> }>;
  readonly exportPipelines: readonly ExportPipeline[];
}

/**
 * Uncaught exceptions and unhandled rejections are recorded on the request
 * that caused them (src/errors/), and nothing else changes: Node prints its
 * own message and exits 1, or the app's handlers decide, as without us.
 * `uncaughtExceptionMonitor` observes without handling; Node calls it for
 * an unhandled rejection too when the rejection is about to crash the
 * process (the default --unhandled-rejections=throw, and strict). A
 * rejection the app's own `unhandledRejection` listener takes never reaches
 * it, so ours listens too, but only while the app has one: a listener of
 * ours alone would stop Node from crashing on the rejection.
 *
 * Only an error that takes the process down is a crash, with its fatal line
 * and its request's span ended for the exit hand-off. After the monitor,
 * Node hands the error to the capture callback if one is set
 * (`process.setUncaughtExceptionCaptureCallback`, domains), else to the
 * `uncaughtException` listeners, and exits only when there is neither. An
 * error the app survives (it has a handler, or its `unhandledRejection`
 * listener took the rejection) is recorded on the request's span, which its
 * request still ends, and no line is written: nothing crashed.
 */
export function installCrashRecording(proc: ProcessHooksTarget, config: Config, writeStderr: (line: string) => void): void {
  const goingDown = () => proc.listenerCount('uncaughtException') === 0 && proc.hasUncaughtExceptionCaptureCallback?.() !== true;
  const record = (error: unknown, origin: string, fatal: boolean) => {
    try {
      const line = recordCrash(error, origin, config.logFields, fatal);
      // Synchronously: the process may end right after this returns.
      if (line !== undefined) writeStderr(line);
    } catch (failure) {
      // Nothing may change how the app crashes or carries on; the record is what is lost, and this says so.
      try {
        reporter.warn('crash record', `an uncaught error could not be recorded on its request: ${failure instanceof Error ? failure.message : String(failure)}`);
      } catch {
        // Reporting must not throw either.
      }
    }
  };
  proc.on('uncaughtExceptionMonitor', (error: unknown, origin: string) => record(error, origin, goingDown()));
  // Only ever called while the app has a listener of its own, which takes the rejection: the app survives it.
  const onRejection = (reason: unknown) => record(reason, 'unhandledRejection', false);
  const hasOurs = () => proc.listeners('unhandledRejection').includes(onRejection);
  proc.on('newListener', (event: string | symbol, listener: unknown) => {
    if (event === 'unhandledRejection' && listener !== onRejection && !hasOurs()) proc.on('unhandledRejection', onRejection);
  });
  proc.on('removeListener', (event: string | symbol, listener: unknown) => {
    if (event === 'unhandledRejection' && listener !== onRejection && hasOurs() && proc.listenerCount('unhandledRejection') === 1) {
      proc.removeListener('unhandledRejection', onRejection);
    }
  });
}

/**
 * SIGTERM and SIGINT: flush within the timeout. When the app has handlers of
 * its own, they decide when and how to exit; otherwise the signal is raised
 * again once flushed, so the process ends as it would have without tracehop
 * (same signal, same exit status). A drained event loop flushes once too.
 * At 'exit' (proc.exit(), a crash), what is still unsent is handed off
 * synchronously, and the span counts are reported once.
 */
export function installExitHandlers(proc: ProcessHooksTarget, built: ExitWork, config: Pick<Config, 'shutdownTimeoutMillis'>): void {
  const timeout = config.shutdownTimeoutMillis;
  let shuttingDown = false;
  let reported = false;
  const reportOnce = () => {
    if (reported) return;
    reported = true;
    reportExportStats(built.exportPipelines);
  };
  // The app keeps running after its own handler may have decided to drain:
  // flush, but keep tracing, so the spans of that drain are recorded too.
  const flushSpans = () => Promise.all(built.spanProcessors.map(processor => processor.forceFlush()));
  const onSignal = (signal: NodeJS.Signals) => {
    if (appSignalListeners(proc, signal) > 1) {
      void flushWithin(flushSpans, timeout, `flush on ${signal}`);
      return;
    }
    // A second Ctrl-C while the first flush runs: stop waiting.
    if (shuttingDown) {
      proc.removeListener(signal, onSignal);
      proc.kill(proc.pid, signal);
      return;
    }
    shuttingDown = true;
    void flushWithin(() => built.sdk.shutdown(), timeout, `flush on ${signal}`).then(() => {
      reportOnce();
      proc.removeListener(signal, onSignal);
      proc.kill(proc.pid, signal);
    });
  };
  proc.on('SIGTERM', onSignal);
  proc.on('SIGINT', onSignal);
  let flushedAtExit = false;
  proc.on('beforeExit', () => {
    if (flushedAtExit) return;
    flushedAtExit = true;
    void flushWithin(() => built.sdk.shutdown(), timeout, 'flush at exit').then(() => {
      // The app's event loop had drained. Unless it has beforeExit work of
      // its own, all that can still hold the process now is the exporter's
      // request and retry timers, for up to OTEL_EXPORTER_OTLP_TIMEOUT after
      // the flush gave up. End it as it would have ended, with its exit code.
      if (proc.listenerCount('beforeExit') === 1) proc.exit();
    });
  });
  // Only synchronous work runs from here on, and it must not throw: the exit code is the app's.
  proc.on('exit', () => {
    try {
      handOffAtExit(built.exportPipelines);
      reportOnce();
    } catch {
      // Nothing may change how the app exits.
    }
  });
}

/**
 * Listeners of `signal` that belong to the app (ours included). signal-exit
 * (used by execa, write-file-atomic and many more) installs a listener that
 * defers to any other: counted as the app's, each side would wait for the
 * other and the process would never end. It is left out, so that we flush,
 * re-raise, and signal-exit then runs its clean-up and ends the process.
 */
function appSignalListeners(proc: ProcessHooksTarget, signal: NodeJS.Signals): number {
  const globals = globalThis as Record<symbol, unknown>;
  const signalExitCopies = [
    (proc as unknown as { __signal_exit_emitter__?: unknown }).__signal_exit_emitter__,
    globals[Symbol.for('signal-exit emitter')],
  ].filter(emitter => emitter !== undefined).length;
  return Math.max(1, proc.listenerCount(signal) - signalExitCopies);
}
