/**
 * The preload: `node -r tracehop/register app.js`.
 *
 * Side effects only: read the configuration, build and start the SDK, and
 * install the flush-on-exit handlers. Nothing here may throw into the app: a
 * failure becomes one diag error and tracehop stays out of the way.
 */
import { diag } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { readFileSync, realpathSync, writeSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { forgetDoctorChannel, loadConfig } from './src/config';
import type { Config } from './src/config';
import { StderrDiagLogger, reporter, tracehopDiag } from './src/diag';
import { recordCrash } from './src/errors';
import { hookImports, isModuleHooksThread } from './src/esm-hook';
import { entryModuleSystem, nearestPackageJson } from './src/facts/module-system';
import type { EntryModuleSystem } from './src/facts/module-system';
import { reportStartupFacts } from './src/facts/startup-report';
import { enableRunAsRequest, setRequestIdFormat } from './src/context';
import { configureLogSpanEvents } from './src/logging/log-span-events';
import { configureLogFields } from './src/logging/mixin';
import { guardResponseHead } from './src/http/head-guard';
import { buildSdk } from './src/sdk';
import { handServiceNameToWorkers, inheritedServiceName, isLogTransportWorker } from './src/threads';
import type { BuiltSdk } from './src/sdk';
import { alignEsmHttpExports } from './src/http/esm-named-exports';
import { flushWithin, handOffAtExit, reportExportStats } from './src/shutdown';

const STARTED = Symbol.for('tracehop.started');

function readFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function start(): void {
  // Node runs preloads in module.register's loader thread too (register.js checks first); tracing belongs to the app's threads.
  if (isModuleHooksThread()) return;
  // pino's transports run in thread-stream workers: log plumbing, not the app (src/threads).
  if (isLogTransportWorker()) return;
  const globals = globalThis as { [STARTED]?: boolean };
  if (globals[STARTED]) return;
  globals[STARTED] = true;

  const { config, warnings } = loadConfig(readFile, inheritedServiceName());
  forgetDoctorChannel();
  handServiceNameToWorkers(config.serviceName);
  diag.setLogger(new StderrDiagLogger(), { logLevel: config.logLevel, suppressOverrideMessage: true });
  for (const warning of warnings) tracehopDiag.warn(warning);
  if (config.disabled) {
    tracehopDiag.info('OTEL_SDK_DISABLED=true: tracehop is off');
    reportStartupFacts({ config, warnings, esmHook: { state: 'off', reason: 'OTEL_SDK_DISABLED=true' }, entry: entryOf(config), instrumentations: [] });
    return;
  }
  // Export failures (collector down, refused, 4xx/5xx) arrive here: one line per kind per interval.
  setGlobalErrorHandler(error => reporter.warn(`export ${errorKind(error)}`, `trace export failed: ${describeError(error)}`));
  configureLogFields(config.logFields);
  setRequestIdFormat(config.requestIdFormat);
  configureLogSpanEvents(config.logSpanEvents);
  // NodeSDK's constructor installs a console logger of its own when
  // OTEL_LOG_LEVEL is set, announcing that it overwrites ours; with none
  // installed for that moment it stays quiet, and ours comes straight back.
  diag.disable();
  let built: BuiltSdk;
  try {
    built = buildSdk(config);
  } finally {
    // Back before anything else is said: a throw from the build is reported below, not lost.
    diag.setLogger(new StderrDiagLogger(), { logLevel: config.logLevel, suppressOverrideMessage: true });
  }
  // Before the app's first import; the include list is what the instrumentations hook.
  const esmHook = hookImports(config.esmHook, built.instrumentations);
  if (esmHook.state === 'registered' && esmHook.limitation !== undefined) tracehopDiag.warn(esmHook.limitation);
  // With a loader in Node's loader thread (ours on an older patch release,
  // or one given on the command line), named imports of http need their
  // exports aligned (src/http/esm-named-exports.ts); hooks in the app's own
  // thread see every copy. Before the instrumentations' hooks, so that the
  // doctor's observer, which runs after them, sees the namespace as the app will.
  if (!(esmHook.state === 'registered' && esmHook.mode === 'in-thread')) {
    try {
      alignEsmHttpExports();
    } catch (error) {
      tracehopDiag.warn(`named ES-module imports of http and https may go untraced: ${describeError(error)}`);
    }
  }
  built.sdk.start();
  enableRunAsRequest(built.idGenerator);
  built.serverSpan?.enable();
  // Our response headers are put back when the head is written, whichever server span set them.
  guardResponseHead();
  tracehopDiag.debug(`started: service.name=${config.serviceName} (from ${config.serviceNameSource}), exporters=${config.tracesExporters.join(',') || 'none'}, endpoint=${config.tracesEndpoint}, protocol=${config.protocol}`);
  reportStartupFacts({ config, warnings, esmHook, entry: entryOf(config), instrumentations: built.instrumentations });
  installExitHandlers(built, config);
  installCrashRecording(config);
}

/**
 * The entry script's module system, for the start-up facts (the doctor):
 * judged lazily, only if the facts are gathered, for the file Node runs
 * (PM2's app, not its container).
 */
function entryOf(config: Config): () => EntryModuleSystem {
  const script = config.entryScript;
  let entry: EntryModuleSystem | undefined;
  return () => (entry ??= entryModuleSystem(script === undefined ? undefined : resolveEntry(script), { readFile, nearestPackageJson }));
}

/** The file Node runs for `node <script>`: `app` for app.js, a directory for its main or index.js, symbolic links followed. */
function resolveEntry(script: string): string {
  try {
    return realpathSync(require.resolve(resolvePath(script)));
  } catch {
    return script;
  }
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
 */
function installCrashRecording(config: Config): void {
  const record = (error: unknown, origin: string) => {
    try {
      const line = recordCrash(error, origin, config.logFields);
      // Synchronously: the process may end right after this returns.
      if (line !== undefined) writeSync(2, line);
    } catch {
      // Nothing may change how the app crashes.
    }
  };
  process.on('uncaughtExceptionMonitor', record);
  const onRejection = (reason: unknown) => record(reason, 'unhandledRejection');
  const hasOurs = () => process.listeners('unhandledRejection').includes(onRejection);
  process.on('newListener', (event: string | symbol, listener: unknown) => {
    if (event === 'unhandledRejection' && listener !== onRejection && !hasOurs()) process.on('unhandledRejection', onRejection);
  });
  process.on('removeListener', (event: string | symbol, listener: unknown) => {
    if (event === 'unhandledRejection' && listener !== onRejection && hasOurs() && process.listenerCount('unhandledRejection') === 1) {
      process.removeListener('unhandledRejection', onRejection);
    }
  });
}

/**
 * SIGTERM and SIGINT: flush within the timeout. When the app has handlers of
 * its own, they decide when and how to exit; otherwise the signal is raised
 * again once flushed, so the process ends as it would have without tracehop
 * (same signal, same exit status). A drained event loop flushes once too.
 * At 'exit' (process.exit(), a crash), what is still unsent is handed off
 * synchronously, and the span counts are reported once.
 */
function installExitHandlers(built: BuiltSdk, config: Config): void {
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
    if (appSignalListeners(signal) > 1) {
      void flushWithin(flushSpans, timeout, `flush on ${signal}`);
      return;
    }
    // A second Ctrl-C while the first flush runs: stop waiting.
    if (shuttingDown) {
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
      return;
    }
    shuttingDown = true;
    void flushWithin(() => built.sdk.shutdown(), timeout, `flush on ${signal}`).then(() => {
      reportOnce();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let flushedAtExit = false;
  process.on('beforeExit', () => {
    if (flushedAtExit) return;
    flushedAtExit = true;
    void flushWithin(() => built.sdk.shutdown(), timeout, 'flush at exit').then(() => {
      // The app's event loop had drained. Unless it has beforeExit work of
      // its own, all that can still hold the process now is the exporter's
      // request and retry timers, for up to OTEL_EXPORTER_OTLP_TIMEOUT after
      // the flush gave up. End it as it would have ended, with its exit code.
      if (process.listenerCount('beforeExit') === 1) process.exit();
    });
  });
  // Only synchronous work runs from here on, and it must not throw: the exit code is the app's.
  process.on('exit', () => {
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
function appSignalListeners(signal: NodeJS.Signals): number {
  const globals = globalThis as Record<symbol, unknown>;
  const signalExitCopies = [
    (process as unknown as { __signal_exit_emitter__?: unknown }).__signal_exit_emitter__,
    globals[Symbol.for('signal-exit emitter')],
  ].filter(emitter => emitter !== undefined).length;
  return Math.max(1, process.listenerCount(signal) - signalExitCopies);
}

function errorKind(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  return error instanceof Error ? error.name : 'error';
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'unknown error';
}

try {
  start();
} catch (error) {
  try {
    tracehopDiag.error(`start-up failed, tracing is off: ${describeError(error)}`);
  } catch {
    // Reporting must not throw either.
  }
}
