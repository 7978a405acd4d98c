/**
 * What tracehop does when the process ends or crashes: flush on SIGTERM and
 * SIGINT (and re-raise the signal when the app has no handler of its own),
 * flush when the event loop drains, hand off what is unsent at 'exit', and
 * record crashes on their request. The only code that touches the process's
 * signals and exit; `process` is passed in, so every rule here is
 * unit-tested with a fake one (test/unit/runtime/process-hooks.test.ts).
 */
import { constants as osConstants } from 'node:os';
import type { Config } from '../config';
import { reporter } from '../diag';
import { recordCrash, reenterEscapedRequest } from '../errors';
import { flushWithin, handOffAtExit, reportExportStats } from '../export/shutdown';
import type { ExportPipeline } from '../export/export-pipeline';
import type { Sdk } from './traces-sdk';

/** What the hooks use of `process`: Node's own, or a fake in the tests. */
export type ProcessHooksTarget = Pick<NodeJS.Process, 'on' | 'removeListener' | 'listeners' | 'listenerCount' | 'kill' | 'pid' | 'exit'> &
  // Optional: a fake process without a capture callback need not have it.
  Partial<Pick<NodeJS.Process, 'hasUncaughtExceptionCaptureCallback'>>;

/** What there is to flush and hand off as the process ends. */
export interface ExitWork {
  readonly sdk: Pick<Sdk, 'shutdown'>;
  readonly spanProcessors: ReadonlyArray<{ forceFlush(): Promise<void> }>;
  readonly exportPipelines: readonly ExportPipeline[];
  /** tracehop's server span, whose spans still open at exit are ended as cut short; undefined with instrumentation-http's. */
  readonly serverSpan?: { endOpenSpans(): void } | undefined;
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
 *
 * An exception thrown synchronously out of a request handler has left the
 * request's context as it unwound: the monitor makes that request active
 * again, so the app's `uncaughtException` listeners (Sentry's, which
 * reports the error there) run inside it, as they do for a throw from a timer.
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
        reporter.warn(
          'crash record',
          `an uncaught error could not be recorded on its request: ${failure instanceof Error ? failure.message : String(failure)}`,
        );
      } catch {
        // Reporting must not throw either.
      }
    }
  };
  proc.on('uncaughtExceptionMonitor', (error: unknown, origin: string) => {
    record(error, origin, goingDown());
    if (origin !== 'uncaughtException') return;
    try {
      reenterEscapedRequest(error);
    } catch (failure) {
      // The app's listeners then run outside the request, as they would without tracehop; only that is lost.
      try {
        reporter.warn(
          'crash context',
          `the request of an uncaught error could not be made active for its handlers: ${failure instanceof Error ? failure.message : String(failure)}`,
        );
      } catch {
        // Reporting must not throw either.
      }
    }
  });
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
 *
 * Where the untraced app would die by the signal at once, it does so with
 * tracehop too, after the synchronous hand-off ('exit' never comes for a
 * death by signal):
 * - the app raises the signal at itself with no listener of its own left
 *   (NestJS's enableShutdownHooks and Apollo Server remove theirs and
 *   re-raise; `process.once` removes the app's before calling it). Node
 *   would deliver it to our listener on a later turn, and only if the event
 *   loop is still alive: once the app has closed its server, the loop drains
 *   first and the process would exit 0. So `proc.kill` is wrapped, and such
 *   a call hands off, takes our listener away and lets the signal through,
 *   all in that call, as the default disposition does;
 * - a signal arrives while another is being handled (the app's clean-up, or
 *   our own flush) and the app has no listener left for it.
 */
export function installExitHandlers(proc: ProcessHooksTarget, built: ExitWork, config: Pick<Config, 'shutdownTimeoutMillis'>): void {
  const timeout = config.shutdownTimeoutMillis;
  let signalled = false;
  /** Our own flush on a signal the app does not handle, which ends the process by that signal. */
  let flushingForSignal = false;
  let dying = false;
  let reported = false;
  const reportOnce = () => {
    if (reported) return;
    reported = true;
    reportExportStats(built.exportPipelines);
  };
  // Only synchronous work, that must not throw: the way the process ends is the app's.
  const lastWork = () => {
    try {
      built.serverSpan?.endOpenSpans();
    } catch {
      // The open spans are lost, and nothing else: the hand-off still runs.
    }
    try {
      handOffAtExit(built.exportPipelines);
      reportOnce();
    } catch {
      // Nothing may change how the app exits.
    }
  };
  const kill = proc.kill.bind(proc);
  // The app keeps running after its own handler may have decided to drain:
  // flush, but keep tracing, so the spans of that drain are recorded too.
  const flushSpans = () => Promise.all(built.spanProcessors.map(processor => processor.forceFlush()));
  const onSignal = (signal: NodeJS.Signals) => {
    if (dying) return;
    if (appSignalListeners(proc, signal) > 1) {
      // ours, and at least one of the app's
      signalled = true;
      void flushWithin(flushSpans, timeout, `flush on ${signal}`);
      return;
    }
    // A second signal while the first is handled: untraced, nothing would hold it, so stop waiting.
    if (signalled) {
      dieBy(signal);
      return;
    }
    signalled = true;
    flushingForSignal = true;
    void flushWithin(() => built.sdk.shutdown(), timeout, `flush on ${signal}`).then(() => {
      if (dying) return;
      dying = true;
      reportOnce();
      proc.removeListener(signal, onSignal);
      kill(proc.pid, signal);
    });
  };
  // Everything that must happen before the process dies by `signal`, then the signal itself.
  const dieBy = (signal: NodeJS.Signals) => {
    prepareToDieBy(signal);
    kill(proc.pid, signal);
  };
  const prepareToDieBy = (signal: NodeJS.Signals) => {
    dying = true;
    lastWork();
    proc.removeListener(signal, onSignal);
  };
  proc.on('SIGTERM', onSignal);
  proc.on('SIGINT', onSignal);
  proc.kill = function killInTracehop(pid: number, signal?: string | number): true {
    try {
      const raised = ourSignal(signal);
      // Ours may be gone already (the app's removeAllListeners): the signal then kills at once, and the hand-off must come first all the same.
      const ours = raised !== undefined && proc.listeners(raised).includes(onSignal) ? 1 : 0;
      if (!dying && raised !== undefined && Number(pid) === proc.pid && appSignalListeners(proc, raised) - ours <= 0) {
        prepareToDieBy(raised);
      }
    } catch {
      // Then the signal comes to our listener, which ends the process by it after a flush.
    }
    return kill(pid, signal);
  };
  let flushedAtExit = false;
  proc.on('beforeExit', () => {
    if (flushedAtExit || dying) return;
    flushedAtExit = true;
    void flushWithin(() => built.sdk.shutdown(), timeout, 'flush at exit').then(() => {
      // The app's event loop had drained. Unless it has beforeExit work of
      // its own, all that can still hold the process now is the exporter's
      // request and retry timers, for up to OTEL_EXPORTER_OTLP_TIMEOUT after
      // the flush gave up. End it as it would have ended, with its exit code;
      // unless our flush on a signal runs, which ends it by that signal.
      if (proc.listenerCount('beforeExit') === 1 && !dying && !flushingForSignal) proc.exit();
    });
  });
  proc.on('exit', () => {
    if (!dying) lastWork();
  });
}

/** SIGTERM or SIGINT, by name or number (`kill` defaults to SIGTERM); undefined for any other. */
function ourSignal(signal: string | number | undefined): 'SIGTERM' | 'SIGINT' | undefined {
  if (signal === undefined || signal === 'SIGTERM' || signal === osConstants.signals.SIGTERM) return 'SIGTERM';
  if (signal === 'SIGINT' || signal === osConstants.signals.SIGINT) return 'SIGINT';
  return undefined;
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
  return Math.max(0, proc.listenerCount(signal) - signalExitCopies);
}
