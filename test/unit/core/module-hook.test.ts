/**
 * The module-hook helper and every hook on it: each hook patches a real copy
 * of its module's exports (Jest gives this file its own copies), and
 * `disable()` (or the machinery's `unpatch`) puts back every function it
 * replaced, the very same function (===), so the module runs as untraced.
 */
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { types } from 'node:util';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { InstrumentationBase, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';
import { Replacements } from '../../../src/core/module-hook';
import { RequestCorrelation, setCorrelation } from '../../../src/core/correlation';
import { ExpressRoutesInstrumentation } from '../../../src/frameworks/express';
import { HapiRoutesInstrumentation, isHookedHapi } from '../../../src/frameworks/hapi';
import { HonoRoutesInstrumentation } from '../../../src/frameworks/hono';
import { KoaRouterRoutesInstrumentation } from '../../../src/frameworks/koa';
import { BullmqHookInstrumentation, isHookedBullmq } from '../../../src/jobs/bullmq-hook';
import { PinoHookInstrumentation } from '../../../src/logging/pino-hook';
import { ApiCopiesInstrumentation } from '../../../src/runtime/api-copies';
import { defaultLogLineSettings, testRuntime } from '../../support/runtime';

const load = createRequire(__filename);
type Exports = Record<string | symbol, unknown>;
type Hooked = InstrumentationBase;

/** The instrumentation's definition for `module`, as the machinery holds it: its patch and unpatch share the instrumentation's ledger. */
function definitionOf(instrumentation: Hooked, module: string): InstrumentationModuleDefinition {
  const found = instrumentation.getModuleDefinitions().find(definition => definition.name === module);
  if (found === undefined) throw new Error(`no hook for ${module}`);
  return found;
}

function namespaceOf(exports: Exports): Exports {
  return Object.defineProperty(Object.assign(Object.create(null) as Exports, exports), Symbol.toStringTag, { value: 'Module' });
}

describe('Replacements', () => {
  test('puts back own properties, deletes the ones it added, latest first', () => {
    const original = () => 'original';
    const target: Exports = { run: original };
    const marker = Symbol('marker');
    const ledger = new Replacements();
    ledger.replace(target, 'run', () => 'first');
    ledger.replace(target, 'run', () => 'second');
    ledger.replace(target, marker, true);
    expect(ledger.inForce).toBe(true);
    ledger.restore();
    expect(target.run).toBe(original);
    expect(Object.getOwnPropertySymbols(target)).toEqual([]);
    expect(ledger.inForce).toBe(false);
  });

  test('a method inherited from a prototype is inherited again', () => {
    class Base {
      run(): string {
        return 'base';
      }
    }
    const instance = new Base() as Base & Exports;
    const ledger = new Replacements();
    ledger.replace(instance, 'run', () => 'ours');
    ledger.restore();
    expect(Object.prototype.hasOwnProperty.call(instance, 'run')).toBe(false);
    expect(Reflect.get(instance, 'run')).toBe(Reflect.get(Base.prototype, 'run'));
  });

  test('a replacement someone else replaced in turn is left to them', () => {
    const theirs = () => 'theirs';
    const target: Exports = { run: () => 'original' };
    const ledger = new Replacements();
    ledger.replace(target, 'run', () => 'ours');
    target.run = theirs;
    ledger.restore();
    expect(target.run).toBe(theirs);
  });

  test('a property that cannot be set throws, as an assignment in strict mode would, and nothing is recorded', () => {
    const target = Object.freeze({ run: () => 'original' });
    const ledger = new Replacements();
    expect(() => ledger.replace(target, 'run', () => 'ours')).toThrow(TypeError);
    expect(() => ledger.restore()).not.toThrow();
  });
});

/** A module's exports, what the hook replaces in them (read fresh each time), and what shows it runs traced. */
interface HookCase {
  readonly make: () => Hooked;
  readonly module: string;
  readonly version: string;
  readonly exports: () => Exports;
  readonly replaced: (exports: Exports) => unknown[];
  /** True while the module runs through the hook, false once it runs as untraced. */
  readonly traced: (exports: Exports) => boolean;
}

function expressCase(copy: string, version: string): HookCase {
  type Router = { stack: Array<{ route?: { stack: Array<{ handle: unknown }> } }>; get(path: string, fn: unknown): void };
  const methodsOf = (exports: Exports) => {
    const Router = exports.Router as { prototype: Exports } & Exports;
    return typeof Router.prototype?.route === 'function' ? Router.prototype : Router;
  };
  return {
    make: () => new ExpressRoutesInstrumentation(),
    module: 'express',
    version,
    exports: () => load(copy) as Exports,
    replaced: exports => [methodsOf(exports).use, methodsOf(exports).route],
    traced: exports => {
      // A route added through the hooked `route` has its layer's handle as a Proxy.
      const router = (exports.Router as () => Router)();
      router.get('/items/:id', () => undefined);
      return router.stack.some(layer => types.isProxy((layer as { handle?: unknown }).handle));
    },
  };
}

function koaRouterCase(): HookCase {
  type Router = { stack: Array<{ stack: unknown[] }>; get(path: string, fn: unknown): void };
  const prototypeOf = (exports: Exports) => (exports as unknown as { prototype: Exports }).prototype;
  return {
    make: () => new KoaRouterRoutesInstrumentation(),
    module: '@koa/router',
    version: '13.1.1',
    exports: () => load('@koa/router') as Exports,
    replaced: exports => ['get', 'post', 'del', 'all'].map(name => prototypeOf(exports)[name]),
    traced: exports => {
      const router = new (exports as unknown as new () => Router)();
      const answer = () => undefined;
      router.get('/items/:id', answer);
      return router.stack[0].stack[0] !== answer;
    },
  };
}

const hapiCase: HookCase = {
  make: () => new HapiRoutesInstrumentation(),
  module: '@hapi/hapi',
  version: '21.4.10',
  exports: () => load('@hapi/hapi') as Exports,
  replaced: exports => [exports.server, exports.Server],
  // A server's extensions are Hapi's internals: the factory's marker stands for them.
  traced: exports => isHookedHapi(exports),
};

const honoCase: HookCase = {
  make: () => new HonoRoutesInstrumentation(),
  module: 'hono',
  version: '4.13.23',
  exports: () => load('hono') as Exports,
  replaced: exports => [exports.Hono],
  traced: exports => {
    // The subclass gives each app's router an `add` of its own.
    const app = new (exports.Hono as new () => { router: object })();
    return Object.prototype.hasOwnProperty.call(app.router, 'add');
  },
};

const bullmqCase: HookCase = {
  make: () => new BullmqHookInstrumentation(testRuntime()),
  module: 'bullmq',
  version: '6.7.0',
  exports: () => load('bullmq') as Exports,
  replaced: exports => {
    const prototypeOf = (name: string) => (exports[name] as { prototype: Exports }).prototype;
    return [
      prototypeOf('Queue').add,
      prototypeOf('Queue').addBulk,
      prototypeOf('FlowProducer').add,
      prototypeOf('FlowProducer').addBulk,
      prototypeOf('Worker').callProcessJob,
    ];
  },
  // Running a job needs Redis (test/integration/jobs.test.ts): the methods' marker stands for it.
  traced: exports => isHookedBullmq(exports),
};

describe.each<[string, HookCase]>([
  ['express 4', expressCase('express4', '4.22.3')],
  ['express 5 (a router without the channel)', expressCase('express5', '5.3.0')],
  ['@koa/router', koaRouterCase()],
  ['@hapi/hapi', hapiCase],
  ['hono', honoCase],
  ['bullmq', bullmqCase],
])('%s', (_title, hook) => {
  test.each<[string, (instrumentation: Hooked, definition: InstrumentationModuleDefinition, exports: Exports) => void]>([
    ['disable() puts back every function the patch replaced', instrumentation => instrumentation.disable()],
    ["the machinery's unpatch puts them back too", (_instrumentation, definition, exports) => definition.unpatch?.(exports, hook.version)],
  ])('%s, and the module runs as untraced', (_how, undo) => {
    const exports = hook.exports();
    const originals = hook.replaced(exports);
    expect(hook.traced(exports)).toBe(false);
    const instrumentation = hook.make();
    const definition = definitionOf(instrumentation, hook.module);
    try {
      expect(definition.patch?.(exports, hook.version)).toBe(exports);
      const patched = hook.replaced(exports);
      patched.forEach((fn, i) => expect(fn).not.toBe(originals[i]));
      expect(hook.traced(exports)).toBe(true);
      undo(instrumentation, definition, exports);
      hook.replaced(exports).forEach((fn, i) => expect(fn).toBe(originals[i]));
      expect(hook.traced(exports)).toBe(false);
    } finally {
      instrumentation.disable();
    }
  });

  test("disable() puts back what each load had replaced, not only the last load's", () => {
    const first = hook.exports();
    const firstOriginals = hook.replaced(first);
    const instrumentation = hook.make();
    const definition = definitionOf(instrumentation, hook.module);
    try {
      definition.patch?.(first, hook.version);
      // A second copy of the module (its other build, or another version): the machinery remembers this one only.
      jest.isolateModules(() => {
        const second = hook.exports();
        expect(second).not.toBe(first);
        const secondOriginals = hook.replaced(second);
        definition.patch?.(second, hook.version);
        instrumentation.disable();
        hook.replaced(second).forEach((fn, i) => expect(fn).toBe(secondOriginals[i]));
      });
      hook.replaced(first).forEach((fn, i) => expect(fn).toBe(firstOriginals[i]));
    } finally {
      instrumentation.disable();
    }
  });
});

describe('pino', () => {
  const TRACE_ID = '0dadb33fee15470abfc85e35926793a5';
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => context.setGlobalContextManager(manager.enable()));
  afterAll(() => context.disable());

  /** Whether a logger this factory makes writes the trace id of the request it logs in. */
  function carriesTraceId(factory: unknown): boolean {
    const records: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) records.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const logger = (factory as (destination: Writable) => { info(message: string): void })(stream);
    const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: 'ac0eabbd00000001', traceFlags: 1 });
    const correlation = new RequestCorrelation('0dadb33f-ee15-470a-bfc8-5e35926793a5', ['0dadb33f-ee15-470a-bfc8-5e35926793a5']);
    context.with(setCorrelation(trace.setSpan(ROOT_CONTEXT, span), correlation), () => logger.info('in a request'));
    return records[0]?.trace_id === TRACE_ID;
  }

  test("by import: disable() puts pino's own factory back in the namespace", () => {
    const original = load('pino') as Exports;
    const namespace = namespaceOf({ default: original, pino: original });
    const instrumentation = new PinoHookInstrumentation(defaultLogLineSettings());
    try {
      definitionOf(instrumentation, 'pino').patch?.(namespace, '10.1.0');
      expect(namespace.default).not.toBe(original);
      expect(carriesTraceId(namespace.default)).toBe(true);
      instrumentation.disable();
      expect(namespace.default).toBe(original);
      expect(namespace.pino).toBe(original);
      expect(carriesTraceId(namespace.default)).toBe(false);
    } finally {
      instrumentation.disable();
    }
  });

  test('by require: the wrapper require-in-the-middle keeps passes calls through untouched once disabled, and works again once enabled', () => {
    const original = load('pino') as Exports;
    const instrumentation = new PinoHookInstrumentation(defaultLogLineSettings());
    try {
      const definition = definitionOf(instrumentation, 'pino');
      const wrapper = definition.patch?.(original, '10.1.0');
      expect(wrapper).not.toBe(original);
      expect(carriesTraceId(wrapper)).toBe(true);
      instrumentation.disable();
      expect(carriesTraceId(wrapper)).toBe(false);
      // What enable() does for a module loaded before: patch the exports it remembers.
      definition.patch?.(original, '10.1.0');
      expect(carriesTraceId(wrapper)).toBe(true);
    } finally {
      instrumentation.disable();
    }
  });
});

test('the @opentelemetry/api watch replaces nothing: the exports are the same before, while and after', () => {
  const api = load('@opentelemetry/api') as Exports;
  const before = { ...api };
  const instrumentation = new ApiCopiesInstrumentation();
  try {
    expect(definitionOf(instrumentation, '@opentelemetry/api').patch?.(api, '1.10.0')).toBe(api);
    instrumentation.disable();
    expect({ ...api }).toEqual(before);
  } finally {
    instrumentation.disable();
  }
});
