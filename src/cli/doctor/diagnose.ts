/**
 * Turns what the app reported into the doctor's findings. Pure: the app run,
 * the endpoint probe and the entry script's text in, a report out.
 *
 * A finding is a problem when something the configuration asks for does not
 * work (a module that is not hooked, an endpoint that does not answer, a
 * setting that was rejected); a note when there is nothing to check (a module
 * the app never loaded, exporting turned off).
 */
import { LOADER_ALREADY_GIVEN } from '../../runtime/module-hooks';
import type { EsmHookMode, EsmHookStatus } from '../../runtime/module-hooks';
import { API_MODULE, TRACEHOP_API_MINOR, describeApiCopy } from '../../introspection/api-copy';
import type { SentrySeen, ServerSeen } from '../../introspection/doctor-channel';
import type { ModuleLoad } from '../../introspection/hook-observer';
import type { EntryModuleSystem } from '../../introspection/module-system';
import type { ConfigFacts, StartupFacts } from '../../introspection/startup-facts';
import { publishesHttp2StreamStart } from '../../http/http2-server-span';
import { SUPPORTED_BULLMQ_VERSIONS } from '../../jobs';
import { SUPPORTED_PINO_VERSIONS } from '../../logging/pino-hook';
import { sentrySupport } from '../../sentry';
import type { EndpointProbe } from './probe-endpoint';
import { STARTUP_TIMEOUT_MS } from './run-app';
import type { AppRun } from './run-app';

/** `warning`: it works, and there is something to know about it (Sentry's tracing beside tracehop's). */
export type CheckStatus = 'ok' | 'note' | 'warning' | 'problem';

export interface Check {
  readonly section: 'app' | 'hooks' | 'configuration' | 'export';
  readonly subject: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface DoctorReport {
  /** Nothing the configuration asks for is broken. */
  readonly ok: boolean;
  /** 0 all working, 1 a problem, 2 the app could not be examined. */
  readonly exitCode: 0 | 1 | 2;
  readonly script: string;
  readonly command: readonly string[];
  readonly preload: 'require' | 'import';
  readonly node?: string;
  readonly entry?: { readonly path: string | undefined; readonly loadedAs?: 'commonjs' | 'esm' } & EntryModuleSystem;
  readonly run: Pick<AppRun, 'outcome' | 'exit' | 'killed'> & { readonly listeningOn?: string; readonly afterMs?: number };
  readonly esmHook?: EsmHookStatus;
  readonly loads: readonly ModuleLoad[];
  readonly config?: ConfigFacts;
  readonly endpoint?: EndpointProbe;
  readonly checks: readonly Check[];
  readonly stderrTail: readonly string[];
}

export interface DiagnoseInput {
  readonly script: string;
  readonly preload: 'require' | 'import';
  readonly timeoutMs: number;
  readonly run: AppRun;
  /** Undefined when the app does not export over OTLP, or never started tracehop. */
  readonly probe: EndpointProbe | undefined;
  /** The entry script's text, to recognise a bundle; undefined when unreadable. */
  readonly entrySource: string | undefined;
}

/** Strings an esbuild, webpack or rollup bundle of pino keeps, minified or not: the descriptions of pino's own symbols. */
const PINO_BUNDLE_MARKERS = ['pino.setLevel', 'pino.serializers'];

export function looksLikeBundledPino(source: string | undefined): boolean {
  return source !== undefined && PINO_BUNDLE_MARKERS.every(marker => source.includes(marker));
}

export function diagnose(input: DiagnoseInput): DoctorReport {
  const { run } = input;
  const facts = run.started;
  const checks: Check[] = [runCheck(input)];
  if (facts !== undefined) {
    checks.push(...configChecks(facts));
    if (!facts.config.disabled) {
      checks.push(
        esmHookCheck(facts, run),
        ...moduleChecks(facts, run.loads, input.entrySource),
        fetchCheck(facts),
        serversCheck(run, facts.node),
        routesCheck(facts, run.loads),
        ...sentryTracingChecks(run.listening?.sentry),
      );
      if (!facts.config.pinoHook)
        checks.push({
          section: 'hooks',
          subject: 'pino',
          status: 'note',
          detail: 'hook off (TRACEHOP_PINO_HOOK=false); loggers with tracehopMixin still get the fields',
        });
      checks.push(exportCheck(facts.config, input.probe));
    }
  }
  const problems = checks.some(check => check.status === 'problem');
  const exitCode = facts === undefined ? 2 : problems ? 1 : 0;
  return {
    ok: exitCode === 0,
    exitCode,
    script: input.script,
    command: run.command,
    preload: input.preload,
    ...(facts === undefined
      ? {}
      : {
          node: facts.node,
          entry: { ...facts.entry, ...(run.listening ? { loadedAs: run.listening.entryLoadedAs } : {}) },
          esmHook: facts.esmHook,
          config: facts.config,
        }),
    run: {
      outcome: run.outcome,
      exit: run.exit,
      killed: run.killed,
      ...(run.listening ? { listeningOn: run.listening.address, afterMs: run.listening.afterMs } : {}),
    },
    loads: run.loads,
    ...(input.probe === undefined ? {} : { endpoint: input.probe }),
    checks,
    stderrTail: run.stderrTail,
  };
}

function runCheck({ run, timeoutMs }: DiagnoseInput): Check {
  const check = (status: CheckStatus, detail: string): Check => ({ section: 'app', subject: 'run', status, detail });
  const ended = run.exit.signal ? `signal ${run.exit.signal}` : `code ${run.exit.code}`;
  if (run.outcome === 'spawn-failed') return check('problem', `could not start node: ${run.error ?? 'unknown error'}`);
  if (run.started === undefined) {
    return check(
      'problem',
      run.outcome === 'timeout'
        ? `tracehop did not report from the app within ${STARTUP_TIMEOUT_MS} ms`
        : `the app exited (${ended}) without tracehop starting in it`,
    );
  }
  if (run.outcome === 'listening')
    return check('ok', `listened on ${run.listening?.address} after ${run.listening?.afterMs} ms; stopped by the doctor${run.killed ? ' with SIGKILL' : ''}`);
  if (run.outcome === 'timeout')
    return check('note', `did not listen within ${timeoutMs} ms of tracehop starting; stopped by the doctor, so modules it loads later are not in this report`);
  if (run.exit.code === 0) return check('note', 'exited by itself (code 0) without listening');
  return check('problem', `exited by itself (${ended}) before listening`);
}

function configChecks(facts: StartupFacts): Check[] {
  const checks: Check[] = facts.warnings.map(warning => ({ section: 'configuration', subject: 'setting', status: 'problem', detail: warning }));
  if (facts.config.disabled)
    checks.push({ section: 'configuration', subject: 'tracehop', status: 'note', detail: 'OTEL_SDK_DISABLED=true: tracehop is off, nothing is traced' });
  return checks;
}

function esmHookCheck(facts: StartupFacts, run: AppRun): Check {
  const check = (status: CheckStatus, detail: string): Check => ({ section: 'hooks', subject: 'ESM hook', status, detail });
  const { esmHook } = facts;
  if (esmHook.state === 'registered') return check('ok', `registered ${describeMode(esmHook.mode)} for ${esmHook.include.join(', ')}`);
  if (esmHook.reason === LOADER_ALREADY_GIVEN) return check('ok', `not registered: ${esmHook.reason}, and it serves the same hooks`);
  const isEsm = (run.listening?.entryLoadedAs ?? facts.entry.system) === 'esm';
  return isEsm
    ? check(
        'problem',
        `off (${esmHook.reason}), and the app is an ES module: its imports of ${instrumentedModules(facts).join(', ')} are not hooked; set TRACEHOP_ESM_HOOK=true`,
      )
    : check('note', `off (${esmHook.reason}); the app is CommonJS, which require hooks cover, but not its import() calls`);
}

function describeMode(mode: EsmHookMode): string {
  return mode === 'in-thread'
    ? "in the app's thread (module.registerHooks)"
    : `in Node's loader thread (module.register: Node ${process.versions.node} predates correct module.registerHooks)`;
}

function instrumentedModules(facts: StartupFacts): string[] {
  return [...new Set(facts.instrumentations.flatMap(instrumentation => instrumentation.modules))];
}

function moduleChecks(facts: StartupFacts, loads: readonly ModuleLoad[], entrySource: string | undefined): Check[] {
  return instrumentedModules(facts).map(module => {
    if (module === API_MODULE) return apiCopiesCheck(loads);
    if (module === SENTRY_MODULE && !facts.loadedBefore.includes(module) && loads.some(load => load.module === module)) return sentryCheck(facts.config, loads);
    const by = facts.instrumentations
      .filter(instrumentation => instrumentation.modules.includes(module))
      .map(instrumentation => `${instrumentation.name} ${instrumentation.version}`)
      .join(', ');
    const check = (status: CheckStatus, detail: string): Check => ({ section: 'hooks', subject: module, status, detail });
    const ofModule = loads.filter(load => load.module === module);
    const version = ofModule.find(load => load.version !== undefined)?.version;
    const named = version === undefined ? '' : `${version} `;
    const via = [...new Set(ofModule.map(load => load.via))].join(' and ');
    if (facts.loadedBefore.includes(module)) {
      const later = ofModule.length > 0 && ofModule.every(load => load.hooked) ? `; later loads (${via}) were hooked, ` : '; ';
      return check(
        'problem',
        `${named}was loaded before tracehop started (a preload ahead of it): anything made from it then is not hooked${later}load tracehop first${module === 'pino' ? ', or give those loggers tracehopMixin' : ''}`,
      );
    }
    const unhooked = ofModule.filter(load => load.hooked === false);
    if (unhooked.length > 0) {
      // Name the copy that was not hooked: an app's pino 10 may be hooked while a dependency's pino 6 is not.
      const unhookedVersions = [...new Set(unhooked.flatMap(load => (load.version === undefined ? [] : [load.version])))];
      const unhookedNamed = unhookedVersions.length === 0 ? '' : `${unhookedVersions.join(', ')} `;
      return check(
        'problem',
        `${unhookedNamed}loaded via ${[...new Set(unhooked.map(load => load.via))].join(' and ')} but not hooked${whyNotHooked(module, unhookedVersions[0])}`,
      );
    }
    if (ofModule.length > 0) return check('ok', `${named}hooked by ${by} (${via})`);
    if (module === 'pino' && looksLikeBundledPino(entrySource)) {
      return entrySource?.includes('tracehopMixin')
        ? check('ok', 'bundled into the entry script, where no hook can reach it; its loggers use tracehopMixin')
        : check('problem', 'bundled into the entry script, where no hook can reach it: give its loggers tracehopMixin, or mark pino external when bundling');
    }
    if (facts.esmHook.state === 'off' && facts.esmHook.reason !== LOADER_ALREADY_GIVEN) {
      return check('note', 'not loaded through require while the doctor watched (imports are not watched with the ESM hook off)');
    }
    return check('note', 'not loaded while the doctor watched (not used, or loaded later)');
  });
}

/**
 * Every copy of the API loaded while the doctor watched, and whether each
 * sees tracehop's tracer provider: one that does not records none of the
 * spans made through it (src/runtime/api-copies.ts).
 */
function apiCopiesCheck(loads: readonly ModuleLoad[]): Check {
  const check = (status: CheckStatus, detail: string): Check => ({ section: 'hooks', subject: API_MODULE, status, detail });
  const copies = [
    ...new Map(
      loads
        .filter(load => load.module === API_MODULE && load.apiCopy !== undefined)
        .map(load => [`${load.version ?? 'unknown version'} (${load.via})`, load.apiCopy!]),
    ).entries(),
  ];
  if (copies.length === 0) return check('note', 'no copy loaded while the doctor watched');
  const listed = copies.map(([copy, state]) => `${copy}: ${describeApiCopy(state)}`).join('; ');
  const separate = copies.filter(([, state]) => state === 'separate-provider').map(([copy]) => copy);
  if (separate.length === 0) return check('ok', listed);
  return check(
    'problem',
    `${separate.join(', ')} ${separate.length === 1 ? 'does' : 'do'} not see tracehop's tracer provider: spans made through ${separate.length === 1 ? 'it' : 'them'} are not recorded; ` +
      `use @opentelemetry/api ${TRACEHOP_API_MINOR} or older in the app (copies loaded: ${listed})`,
  );
}

const SENTRY_MODULE = '@sentry/core';

/**
 * Each copy of `@sentry/core` the app loaded, and whether its events will
 * carry the request: Sentry 11 is hooked; Sentry 8 to 10 are not (their
 * events keep Sentry's own trace ids), and the line says to upgrade.
 */
function sentryCheck(config: ConfigFacts, loads: readonly ModuleLoad[]): Check {
  const check = (status: CheckStatus, detail: string): Check => ({ section: 'hooks', subject: SENTRY_MODULE, status, detail });
  const copies = [
    ...new Map(loads.filter(load => load.module === SENTRY_MODULE).map(load => [`${load.version ?? 'unknown version'} (${load.via})`, load])).entries(),
  ];
  const carried =
    `events captured in a request carry its trace and span ids, the request id as the tag ${config.sentryRequestIdTag}` +
    (config.sentryBreadcrumbLevel === 'none' ? '' : ` and its pino lines at ${config.sentryBreadcrumbLevel} and above as breadcrumbs`);
  const unhooked = copies.filter(([, load]) => load.hooked !== true);
  if (unhooked.length === 0) return check('ok', `${copies.map(([copy]) => copy).join(', ')} hooked: ${carried}`);
  const why = unhooked.map(([copy, load]) => `${copy}: ${whySentryNotHooked(load.version)}`).join('; ');
  const hooked = copies.filter(([, load]) => load.hooked === true).map(([copy]) => copy);
  return check('problem', `${why}${hooked.length === 0 ? '' : `; ${hooked.join(', ')} hooked: ${carried}`}`);
}

function whySentryNotHooked(version: string | undefined): string {
  switch (sentrySupport(version)) {
    case 'upgrade':
      return "not hooked (tracehop hooks Sentry 11): its events keep Sentry's own trace ids and carry no request id; upgrade to Sentry 11";
    case 'newer':
      return 'not hooked (tracehop hooks Sentry 11, and has not been tried with this one): its events carry no request';
    default:
      return 'not hooked: it lacks the functions tracehop uses, so its events carry no request';
  }
}

/**
 * Whether Sentry's own tracing is on, as the app's client had it when the
 * app listened. On, two tracers run: the warning says so and what tracehop
 * does about it.
 */
function sentryTracingChecks(sentry: SentrySeen | undefined): Check[] {
  const check = (status: CheckStatus, detail: string): Check => ({ section: 'hooks', subject: 'Sentry tracing', status, detail });
  if (sentry === undefined) return [];
  if (!sentry.initialised) return [check('note', 'Sentry.init had not run when the app listened: whether its tracing is on is not known')];
  if (!sentry.tracing) return [check('ok', "off (Sentry's default): tracehop traces, Sentry takes the errors")];
  return [
    check(
      'warning',
      "on (tracesSampleRate or tracesSampler): two tracers run, Sentry's spans going to Sentry and tracehop's over OTLP. " +
        "tracehop starts Sentry's spans of each request in the request's trace, so its events, both tracers' spans and the " +
        'traceparent, sentry-trace and baggage sent downstream carry one trace id, and nothing of Sentry reaches OTLP; ' +
        "turn Sentry's tracing off unless its performance views are wanted (each request is traced twice)",
    ),
  ];
}

function whyNotHooked(module: string, version: string | undefined): string {
  if (module === 'pino' && version !== undefined) return `: the hook supports pino ${SUPPORTED_PINO_VERSIONS.join(' || ')}; use tracehopMixin with this one`;
  if (module === 'bullmq' && version !== undefined)
    return `: the hook supports bullmq ${SUPPORTED_BULLMQ_VERSIONS.join(' || ')}; its jobs carry no request (inject and runWithCarrier still work)`;
  return '';
}

function fetchCheck(facts: StartupFacts): Check {
  const check = (status: CheckStatus, detail: string): Check => ({ section: 'hooks', subject: 'fetch', status, detail });
  const undici = facts.instrumentations.find(instrumentation => instrumentation.name.includes('undici'));
  if (undici === undefined) return check('note', 'no fetch instrumentation');
  return facts.fetchChannelSubscribed
    ? check('ok', `traced by ${undici.name} ${undici.version} through undici's diagnostics channels`)
    : check('problem', `${undici.name} is not subscribed to undici's diagnostics channels`);
}

/** What tracehop covers on every app, whatever server it runs. */
const COVERED_SERVERS =
  'server spans and X-Request-ID for http and https servers, HTTP/2 servers (Node 22.17 and later), and WebSocket and other upgrades on http and https servers';

const SERVER_NAMES: Readonly<Record<ServerSeen['kind'], string>> = {
  http: 'an http server',
  https: 'an https server',
  http2: 'an HTTP/2 server (h2c)',
  'http2-secure': 'an HTTP/2 server over TLS',
  other: 'a server of another kind',
};

/**
 * The server the app listened with first (the doctor stops it then, so only
 * that one), whether it takes upgrades, and what tracehop covers. The doctor
 * sends no traffic: what it reports is what the server is, not requests seen.
 */
function serversCheck(run: AppRun, node: string): Check {
  const check = (status: CheckStatus, detail: string): Check => ({ section: 'hooks', subject: 'servers', status, detail });
  const server = run.listening?.server;
  if (server === undefined) return check('note', `no server listened while the doctor watched; tracehop covers ${COVERED_SERVERS}`);
  const named = `${SERVER_NAMES[server.kind]}${server.upgrades ? ' taking upgrades (WebSocket)' : ''}`;
  if ((server.kind === 'http2' || server.kind === 'http2-secure') && !publishesHttp2StreamStart(node)) {
    return check('problem', `listened with ${named}, whose HTTP/2 requests Node ${node} does not publish (22.17 or later does): they go untraced`);
  }
  if (server.kind === 'other') return check('note', `listened with ${named}: tracehop covers ${COVERED_SERVERS}`);
  return check('ok', `listened with ${named}: traced (${COVERED_SERVERS})`);
}

/** Which frameworks' routes name the server spans: Express, @koa/router, Hapi and Hono when their load was hooked, Fastify when it loaded with the channel subscribed. */
function routesCheck(facts: StartupFacts, loads: readonly ModuleLoad[]): Check {
  const check = (status: CheckStatus, detail: string): Check => ({ section: 'hooks', subject: 'routes', status, detail });
  const loaded = (module: string) => loads.find(load => load.module === module);
  const seen: string[] = [];
  const express = loaded('express');
  if (express?.hooked === true) seen.push(`express ${express.version ?? ''} (Router hooked)`.replace('  ', ' '));
  const koaRouter = loaded('@koa/router');
  if (koaRouter?.hooked === true) seen.push(`koa with @koa/router ${koaRouter.version ?? ''} (Router hooked)`.replace('  ', ' '));
  const hapi = loaded('@hapi/hapi');
  if (hapi?.hooked === true) seen.push(`hapi ${hapi.version ?? ''} (server extension)`.replace('  ', ' '));
  const hono = loaded('hono');
  if (hono?.hooked === true) seen.push(`hono ${hono.version ?? ''} (Hono hooked)`.replace('  ', ' '));
  const fastify = loaded('fastify');
  if (fastify !== undefined && facts.fastifyChannelSubscribed) seen.push(`fastify ${fastify.version ?? ''} (fastify.initialization)`.replace('  ', ' '));
  if (seen.length > 0) return check('ok', `route names (http.route, "METHOD /template") for ${seen.join(', ')}`);
  return check(
    'note',
    'no framework whose routes tracehop names was loaded (Express 4-5, Fastify 4-5, @koa/router, Hapi 21, Hono 4): server spans are named by method only',
  );
}

function exportCheck(config: ConfigFacts, probe: EndpointProbe | undefined): Check {
  const check = (status: CheckStatus, detail: string): Check => ({ section: 'export', subject: 'endpoint', status, detail });
  if (!config.tracesExporters.includes('otlp')) {
    return check(
      'note',
      config.tracesExporters.length === 0
        ? 'OTEL_TRACES_EXPORTER=none: spans are made but not exported'
        : `spans go to ${config.tracesExporters.join(', ')}, not OTLP`,
    );
  }
  if (probe === undefined) return check('note', `${config.tracesEndpoint} was not probed`);
  if (!probe.answered) return check('problem', `${probe.url} does not answer (${probe.error}): spans will be dropped`);
  if (probe.status !== undefined && probe.status >= 200 && probe.status < 300) return check('ok', `${probe.url} answers (HTTP ${probe.status})`);
  return check('problem', `${probe.url} answers HTTP ${probe.status}, so exports will fail${statusHint(probe.status)}`);
}

function statusHint(status: number | undefined): string {
  if (status === 401 || status === 403) return ': check OTEL_EXPORTER_OTLP_HEADERS';
  if (status === 404) return ': check the path (OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces appended; OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is)';
  if (status === 415) return ': check OTEL_EXPORTER_OTLP_PROTOCOL';
  return '';
}
