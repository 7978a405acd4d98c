/**
 * What tracehop knows right after it starts: the entry point's module
 * system, the ESM hook, which instrumentation hooks which module, what was
 * loaded too early to be hooked, and the effective configuration. The same
 * facts go to diag at debug level and to `tracehop doctor`.
 */
import * as path from 'node:path';
import type { Config } from '../config';
import type { EsmHookStatus } from './module-hook-state';
import { API_MODULE } from './api-copy';
import type { EntryModuleSystem } from './module-system';

export interface InstrumentationFacts {
  readonly name: string;
  readonly version: string;
  /** The modules it hooks on load; empty for one that listens on diagnostics channels. */
  readonly modules: readonly string[];
}

/**
 * Every setting of the Config, in the order the facts list them, and how
 * the facts show it: `true` as it is, `false` not at all, `'computed'` as
 * the fact COMPUTED makes of it. `satisfies Record<keyof Config, ...>`: a
 * setting added to the Config does not compile until it is placed here, so
 * none is left out of the facts without a decision. What is shown is what
 * `tracehop doctor` prints (its text and its `--json`).
 */
const SHOWN = {
  disabled: true,
  serviceName: true,
  serviceNameSource: true,
  tracesExporters: true,
  tracesEndpoint: true,
  protocol: true,
  // Its names only: the values are credentials.
  exporterHeaders: 'computed',
  sampler: true,
  samplerRatio: true,
  propagators: true,
  requestIdHeaders: true,
  // Named for what it is beside requestIdHeaders: the one echoed and sent on.
  requestIdHeader: 'computed',
  ignorePaths: true,
  pinoHook: true,
  esmHook: true,
  jobTrace: true,
  // Not shown: the doctor checks none of these, and its report stays as it was.
  batch: false,
  logLevel: false,
  resourceDetectorsFromEnv: false,
  metricsRequested: false,
  logsRequested: false,
  logFields: false,
  shutdownTimeoutMillis: false,
  propagateTo: false,
  edgeMode: false,
  requestIdFormat: false,
  logSpanEvents: false,
  serverSpan: false,
  corsExposeHeaders: false,
  serverTiming: false,
  compileCache: false,
  // The facts' own `entry` says which script, and how it was judged.
  entryScript: false,
  // How the facts reach the doctor, not a setting of the app's.
  doctorFd: false,
  exporterTimeout: false,
  compression: false,
  tlsFiles: false,
  // Holds the exporter's headers, values included.
  exportEnvironment: false,
  // Sentry's: the doctor's @sentry/core line says what the app's events carry with them.
  sentryRequestIdTag: true,
  sentryBreadcrumbLevel: true,
} as const satisfies Record<keyof Config, boolean | 'computed'>;

type SettingShown<How> = { [K in keyof Config]: (typeof SHOWN)[K] extends How ? K : never }[keyof Config];

/** The facts made of a setting shown `'computed'`, by that setting. */
const COMPUTED = {
  exporterHeaders: config => ({ exporterHeaderNames: Object.keys(config.exporterHeaders) }),
  requestIdHeader: config => ({ echoedRequestIdHeader: config.requestIdHeader }),
} satisfies { readonly [K in SettingShown<'computed'>]: (config: Config) => object };

type ComputedFacts = { [K in keyof typeof COMPUTED]: ReturnType<(typeof COMPUTED)[K]> }[keyof typeof COMPUTED];
type Merged<U> = (U extends unknown ? (part: U) => void : never) extends (part: infer All) => void ? All : never;

/**
 * The configuration as plain JSON, without secrets: the settings shown as
 * they are (`requestIdHeaders` read in this order, lowercase), plus
 * `exporterHeaderNames` (never the values) and `echoedRequestIdHeader` (the
 * one echoed in responses and sent downstream, spelt as configured).
 */
export type ConfigFacts = Pick<Config, SettingShown<true>> & Readonly<Merged<ComputedFacts>>;

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
  const facts: Record<string, unknown> = {};
  for (const [setting, how] of Object.entries(SHOWN) as Array<[keyof Config, boolean | 'computed']>) {
    if (how === true) facts[setting] = config[setting];
    else if (how === 'computed') Object.assign(facts, COMPUTED[setting as keyof typeof COMPUTED](config));
  }
  // Built in SHOWN's order from SHOWN and COMPUTED, which ConfigFacts is derived from.
  return facts as ConfigFacts;
}

/**
 * The packages among `modules` that some file in the require cache belongs
 * to: they were loaded before tracehop could hook them. Builtins have no file
 * and are never listed; they are patched in place when next required. Nor is
 * `@opentelemetry/api`: tracehop's own copy is always loaded before, and
 * what matters of it (which copies see tracehop's provider) is not a hook
 * missed but a fact of each copy loaded later. `@sentry/core` is also listed
 * when `sentryCarrier` says some copy of it already ran.
 */
export function packagesLoadedBefore(modules: readonly string[], cachedFiles: readonly string[], sentryCarrier = false): string[] {
  return modules
    .filter(name => name !== API_MODULE)
    .filter(name => {
      // An ES module (Sentry's own `--import ./instrument.mjs` ahead of tracehop's) is in no require cache; Sentry leaves its global carrier.
      if (name === SENTRY_CORE && sentryCarrier) return true;
      const marker = `${path.sep}node_modules${path.sep}${name.split('/').join(path.sep)}${path.sep}`;
      return cachedFiles.some(file => file.includes(marker));
    });
}

const SENTRY_CORE = '@sentry/core';

/** Whether a copy of `@sentry/core` has run in this process: it sets `globalThis.__SENTRY__` (with its version) as it loads. */
export function sentryCarrierPresent(): boolean {
  const carrier = (globalThis as { __SENTRY__?: { version?: unknown } }).__SENTRY__;
  return typeof carrier === 'object' && carrier !== null && typeof carrier.version === 'string';
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
    const what =
      instrumentation.modules.length > 0
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
    case 'esm':
      return 'ES module';
    case 'commonjs':
      return 'CommonJS';
    case 'unknown':
      return 'unknown module system';
  }
}
