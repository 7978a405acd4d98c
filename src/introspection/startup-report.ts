/**
 * Gathers the start-up facts when someone asked for them: diag at debug
 * level, or `tracehop doctor` through its pipe. Otherwise it costs nothing.
 */
import { DiagLogLevel } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { isBuiltin } from 'node:module';
import type { Config } from '../config';
import type { SentrySeen } from '../sentry';
import { reporter, tracehopDiag } from '../diag';
import { instrumentedModules } from './module-hook-state';
import type { EsmHookStatus } from './module-hook-state';
import { FASTIFY_INITIALIZATION_CHANNEL } from '../frameworks/fastify';
import { openDoctorChannel, reportListening } from './doctor-channel';
import { watchModuleLoads } from './hook-observer';
import type { ModuleLoad } from './hook-observer';
import { describeApiCopy } from './api-copy';
import type { EntryModuleSystem } from './module-system';
import { FETCH_CHANNEL, configFacts, describeFacts, packagesLoadedBefore, sentryCarrierPresent } from './startup-facts';
import type { StartupFacts } from './startup-facts';

export interface StartupContext {
  readonly config: Config;
  readonly warnings: readonly string[];
  readonly esmHook: EsmHookStatus;
  /** The entry script's module system (for the file Node resolves the script to), as the ESM hook's decision sees it. */
  readonly entry: () => EntryModuleSystem;
  /** Built and enabled: the hook observer must come after them to see what they did. */
  readonly instrumentations: readonly Instrumentation[];
  /** The app's Sentry, read when the app listens (after its `Sentry.init`, as a rule). */
  readonly sentry?: () => SentrySeen | undefined;
}

/** Never throws: the facts are a report, and must not stop the preload's remaining start-up. */
export function reportStartupFacts(context: StartupContext): void {
  try {
    report(context);
  } catch (error) {
    // Tracing runs on; what is lost is the start-up facts (the debug line, the doctor's report).
    reporter.warn('startup facts', `start-up facts could not be gathered: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Frameworks named through a diagnostics channel rather than a module hook. */
const ROUTE_CHANNEL_FRAMEWORKS = ['fastify'];

function report(context: StartupContext): void {
  const debug = context.config.logLevel >= DiagLogLevel.DEBUG;
  const channel = context.config.doctorFd === undefined ? undefined : openDoctorChannel(context.config.doctorFd);
  if (!debug && channel === undefined) return;
  const facts = gatherFacts(context);
  if (debug) for (const line of describeFacts(facts)) tracehopDiag.debug(line);
  channel?.send({ type: 'started', facts });
  // Fastify is hooked through a channel, not on load; its loads are watched so that the doctor can say its routes are named.
  const watched = [...instrumentedModules(context.instrumentations), ...ROUTE_CHANNEL_FRAMEWORKS];
  if (watched.length > 0) {
    watchModuleLoads(watched, load => {
      if (debug) tracehopDiag.debug(describeLoad(load));
      channel?.send({ type: 'load', load });
    });
  }
  if (channel !== undefined) reportListening(channel, context.sentry);
}

function gatherFacts({ config, warnings, esmHook, entry: system, instrumentations }: StartupContext): StartupFacts {
  const entry = config.entryScript;
  const modules = instrumentedModules(instrumentations);
  return {
    node: process.version,
    pid: process.pid,
    entry: { path: entry, ...system() },
    esmHook,
    instrumentations: instrumentations.map(instrumentation => ({
      name: instrumentation.instrumentationName,
      version: instrumentation.instrumentationVersion,
      modules: instrumentedModules([instrumentation]),
    })),
    fetchChannelSubscribed: diagnosticsChannel.hasSubscribers(FETCH_CHANNEL),
    fastifyChannelSubscribed: diagnosticsChannel.hasSubscribers(FASTIFY_INITIALIZATION_CHANNEL),
    loadedBefore: packagesLoadedBefore(
      modules.filter(name => !isBuiltin(name)),
      Object.keys(require.cache),
      sentryCarrierPresent(),
    ),
    config: configFacts(config),
    warnings: [...warnings],
  };
}

function describeLoad(load: ModuleLoad): string {
  const name = load.version === undefined ? load.module : `${load.module} ${load.version}`;
  const state = load.apiCopy !== undefined ? describeApiCopy(load.apiCopy) : load.hooked === undefined ? 'loaded' : load.hooked ? 'hooked' : 'NOT hooked';
  return `${name} loaded via ${load.via}: ${state}`;
}
