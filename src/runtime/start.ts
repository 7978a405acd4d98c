/**
 * Starts tracehop in the app, once per thread that traces: reads the
 * configuration, builds and starts the SDK, registers the module hooks,
 * and installs the process hooks (process-hooks.ts). Nothing here may throw
 * into the app: a failure becomes one diag error and tracehop stays out of
 * the way.
 */
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { readFileSync, realpathSync, writeSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { forgetDoctorChannel, loadConfig } from '../config';
import type { Config } from '../config';
import { StderrDiagLogger, reporter, tracehopDiag } from '../diag';
import { hookImports, isModuleHooksThread } from './module-hooks';
import type { EntryModuleSystem } from '../introspection/module-system';
import type { StartupContext } from '../introspection/startup-report';
import { STARTED_KEY as STARTED, publishRuntime } from '../core/shared-state';
import { createRuntime } from './tracehop-runtime';
import { guardResponseHead } from '../http/head-guard';
import { buildSdk } from './sdk';
import type { StartSeams } from './sdk';
import { handServiceNameToWorkers, inheritedServiceName, isLogTransportWorker, warningsNotYetWritten } from './threads';
import type { BuiltSdk } from './sdk';
import { alignEsmHttpExports } from '../http/esm-named-exports';
import { installCrashRecording, installExitHandlers } from './process-hooks';
import { sentryLoadedFirstWarning } from '../sentry/sentry-version';

function readFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // A file that cannot be read is one that is not there, for the config's readers: nothing is lost.
    return undefined;
  }
}

function start(seams: StartSeams): void {
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
  // One line per bad value in the whole process, however many worker threads read it.
  for (const warning of warningsNotYetWritten(warnings)) tracehopDiag.warn(warning);
  if (config.disabled) {
    tracehopDiag.info('OTEL_SDK_DISABLED=true: tracehop is off');
    reportStartupFacts({ config, warnings, esmHook: { state: 'off', reason: 'OTEL_SDK_DISABLED=true' }, entry: entryOf(config), instrumentations: [] });
    return;
  }
  warnIfSentryCameFirst();
  // Export failures (collector down, refused, 4xx/5xx) arrive here: one line per kind per interval.
  setGlobalErrorHandler(error => reporter.warn(`export ${errorKind(error)}`, `trace export failed: ${describeError(error)}`));
  const runtime = createRuntime(config);
  // NodeSDK's constructor installs a console logger of its own when
  // OTEL_LOG_LEVEL is set, announcing that it overwrites ours; with none
  // installed for that moment it stays quiet, and ours comes straight back.
  diag.disable();
  let built: BuiltSdk;
  try {
    built = buildSdk(config, runtime, seams);
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
      reporter.warn('esm http exports', `named ES-module imports of http and https may go untraced: ${describeError(error)}`);
    }
  }
  built.sdk.start();
  // Now the public API (runAsRequest, configureRequestIds, runWithCarrier, the mixin) of any copy of tracehop reaches it.
  publishRuntime(runtime);
  built.serverSpan?.enable();
  built.http2ServerSpan.enable();
  built.upgradeServerSpan.enable();
  // Our response headers are put back when the head is written, whichever server span set them.
  guardResponseHead();
  tracehopDiag.debug(
    `started: service.name=${config.serviceName} (from ${config.serviceNameSource}), exporters=${config.tracesExporters.join(',') || 'none'}, endpoint=${config.tracesEndpoint}, protocol=${config.protocol}`,
  );
  reportStartupFacts({ config, warnings, esmHook, entry: entryOf(config), instrumentations: built.instrumentations, sentry: () => built.sentry.seen() });
  installExitHandlers(process, built, config);
  installCrashRecording(process, config, line => writeSync(2, line));
}

/** One line when a Sentry tracehop would hook has already run (its preload ahead of tracehop's): nothing would say so otherwise. */
function warnIfSentryCameFirst(): void {
  try {
    const warning = sentryLoadedFirstWarning((globalThis as { __SENTRY__?: unknown }).__SENTRY__);
    if (warning !== undefined) tracehopDiag.warn(warning);
  } catch (error) {
    // A carrier whose version cannot be read (a getter that throws): what is lost is the hint, said here.
    reporter.warn('sentry first', `whether Sentry was loaded before tracehop could not be told: ${describeError(error)}`);
  }
}

/**
 * The start-up facts are for OTEL_LOG_LEVEL=debug and the doctor only: their
 * modules (introspection/) load then, and otherwise stay out of every
 * start-up (docs/performance.md, "Start-up").
 */
function reportStartupFacts(context: StartupContext): void {
  if (context.config.logLevel < DiagLogLevel.DEBUG && context.config.doctorFd === undefined) return;
  try {
    const { reportStartupFacts: report } = require('../introspection/startup-report') as typeof import('../introspection/startup-report');
    report(context);
  } catch (error) {
    // Tracing is on by now and the exit handlers come next: what is lost is the report (the doctor says it got none).
    tracehopDiag.warn(`start-up facts could not be reported: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The entry script's module system, for the start-up facts (the doctor):
 * judged lazily, only if the facts are gathered, for the file Node runs
 * (PM2's app, not its container).
 */
function entryOf(config: Config): () => EntryModuleSystem {
  const script = config.entryScript;
  let entry: EntryModuleSystem | undefined;
  return () => {
    if (entry !== undefined) return entry;
    const { entryModuleSystem, nearestPackageJson } = require('../introspection/module-system') as typeof import('../introspection/module-system');
    return (entry = entryModuleSystem(script === undefined ? undefined : resolveEntry(script), { readFile, nearestPackageJson }));
  };
}

/** The file Node runs for `node <script>`: `app` for app.js, a directory for its main or index.js, symbolic links followed. */
function resolveEntry(script: string): string {
  try {
    return realpathSync(require.resolve(resolvePath(script)));
  } catch {
    // The script as given: the doctor then judges that path, nothing is lost.
    return script;
  }
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

/**
 * The preload's one call: starts tracehop, or says in one line why it could
 * not. `seams` are for tracehop's own benchmarks only (sdk.ts); the preload gives none.
 */
export function startTracehop(seams: StartSeams = {}): void {
  try {
    start(seams);
  } catch (error) {
    // Once per process: the app runs untraced, and this line says so.
    try {
      tracehopDiag.error(`start-up failed, tracing is off: ${describeError(error)}`);
    } catch {
      // Nothing more is lost: a diag logger that throws has nowhere else to report to, and the app must start.
    }
  }
}
