/**
 * What tracehop knows right after it starts: the entry point's module
 * system, the ESM hook, which instrumentation hooks which module, what was
 * loaded too early to be hooked, and the effective configuration. The same
 * facts go to diag at debug level and to `tracehop doctor`.
 */
import * as path from 'node:path';
import type { Config, TracesExporterName } from '../config';
import type { EsmHookStatus } from './module-hook-state';
import { API_MODULE } from './api-copy';
import type { EntryModuleSystem } from './module-system';

export interface InstrumentationFacts {
  readonly name: string;
  readonly version: string;
  /** The modules it hooks on load; empty for one that listens on diagnostics channels. */
  readonly modules: readonly string[];
}

/** The configuration as plain JSON, without secrets: exporter header names, never values. */
export interface ConfigFacts {
  readonly disabled: boolean;
  readonly serviceName: string;
  readonly serviceNameSource: string;
  readonly tracesExporters: readonly TracesExporterName[];
  readonly tracesEndpoint: string;
  readonly protocol: string;
  readonly exporterHeaderNames: readonly string[];
  readonly sampler: string;
  readonly samplerRatio: number;
  readonly propagators: readonly string[];
  /** Read in this order, lowercase. */
  readonly requestIdHeaders: readonly string[];
  /** The one echoed in responses and sent downstream, spelt as configured. */
  readonly echoedRequestIdHeader: string;
  readonly ignorePaths: readonly string[];
  readonly pinoHook: boolean;
  /** TRACEHOP_ESM_HOOK: `auto`, `true` or `false`. */
  readonly esmHook: string;
  /** TRACEHOP_JOB_TRACE: `child` or `link`. */
  readonly jobTrace: string;
}

export interface StartupFacts {
  readonly node: string;
  readonly pid: number;
  readonly entry: { readonly path: string | undefined } & EntryModuleSystem;
  readonly esmHook: EsmHookStatus;
  readonly instrumentations: readonly InstrumentationFacts[];
  /** Whether the global fetch's diagnostics channel has a subscriber (the undici instrumentation). */
  readonly fetchChannelSubscribed: boolean;
  /** Whether Fastify's `fastify.initialization` channel has a subscriber (tracehop's route names for Fastify). */
  readonly fastifyChannelSubscribed: boolean;
  /** Instrumented packages that were already loaded when tracehop started. */
  readonly loadedBefore: readonly string[];
  readonly config: ConfigFacts;
  /** One line per invalid setting. */
  readonly warnings: readonly string[];
}

/** The channel the global fetch (Node's bundled undici) publishes each new request on. */
export const FETCH_CHANNEL = 'undici:request:create';

export function configFacts(config: Config): ConfigFacts {
  return {
    disabled: config.disabled,
    serviceName: config.serviceName,
    serviceNameSource: config.serviceNameSource,
    tracesExporters: [...config.tracesExporters],
    tracesEndpoint: config.tracesEndpoint,
    protocol: config.protocol,
    exporterHeaderNames: Object.keys(config.exporterHeaders),
    sampler: config.sampler,
    samplerRatio: config.samplerRatio,
    propagators: [...config.propagators],
    requestIdHeaders: [...config.requestIdHeaders],
    echoedRequestIdHeader: config.requestIdHeader,
    ignorePaths: [...config.ignorePaths],
    pinoHook: config.pinoHook,
    esmHook: config.esmHook,
    jobTrace: config.jobTrace,
  };
}

/**
 * The packages among `modules` that some file in the require cache belongs
 * to: they were loaded before tracehop could hook them. Builtins have no file
 * and are never listed; they are patched in place when next required. Nor is
 * `@opentelemetry/api`: tracehop's own copy is always loaded before, and
 * what matters of it (which copies see tracehop's provider) is not a hook
 * missed but a fact of each copy loaded later.
 */
export function packagesLoadedBefore(modules: readonly string[], cachedFiles: readonly string[]): string[] {
  return modules.filter(name => name !== API_MODULE).filter(name => {
    const marker = `${path.sep}node_modules${path.sep}${name.split('/').join(path.sep)}${path.sep}`;
    return cachedFiles.some(file => file.includes(marker));
  });
}

/** The facts as a few diag lines. */
export function describeFacts(facts: StartupFacts): string[] {
  const { entry, esmHook } = facts;
  const lines = [
    `entry point ${entry.path ?? '(none)'}: ${describeSystem(entry.system)} (${entry.reason})`,
    esmHook.state === 'registered'
      ? `ESM loader hook registered (${esmHook.mode}) for ${esmHook.include.join(', ')}`
      : `ESM loader hook off: ${esmHook.reason}`,
  ];
  for (const instrumentation of facts.instrumentations) {
    const what = instrumentation.modules.length > 0
      ? `hooks ${instrumentation.modules.join(', ')}`
      : `listens on diagnostics channels${channelState(instrumentation.name, facts)}`;
    lines.push(`${instrumentation.name} ${instrumentation.version} ${what}`);
  }
  if (facts.loadedBefore.length > 0) {
    lines.push(`loaded before tracehop started, so not hooked for code that already holds them: ${facts.loadedBefore.join(', ')}`);
  }
  return lines;
}

function channelState(instrumentation: string, facts: StartupFacts): string {
  const state = (subscribed: boolean) => (subscribed ? 'subscribed' : 'NOT subscribed');
  if (instrumentation.includes('undici')) return ` (fetch ${state(facts.fetchChannelSubscribed)})`;
  if (instrumentation.includes('fastify')) return ` (fastify.initialization ${state(facts.fastifyChannelSubscribed)})`;
  return '';
}

export function describeSystem(system: EntryModuleSystem['system']): string {
  switch (system) {
    case 'esm': return 'ES module';
    case 'commonjs': return 'CommonJS';
    case 'unknown': return 'unknown module system';
  }
}
