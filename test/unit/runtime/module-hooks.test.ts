import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { pathToFileURL } from 'node:url';
import { ESM_LOADER, LOADER_ALREADY_GIVEN, hookImports, includedModules, instrumentedModules, isModuleHooksThread } from '../../../src/runtime/module-hooks';
import type { EsmHookStatus, HookRegistrars, LaterHooks } from '../../../src/runtime/module-hooks';

class Hooks extends InstrumentationBase {
  constructor(private readonly names: string[]) {
    super('test-hooks', '1.0.0', { enabled: false });
  }

  protected init() {
    // init() runs inside super(), before `names` is set; getModuleDefinitions() calls it again later.
    return (this.names ?? []).map(name => new InstrumentationNodeModuleDefinition(name, ['*']));
  }
}

/** Registrars that record what would have been registered, and how; nothing reaches Node's loader. */
function fakeNode(
  options: {
    syncHooks?: boolean;
    syncThrows?: boolean;
    mainThread?: boolean;
    execArgv?: string[];
    register?: boolean;
    loadThrows?: boolean;
    iitmVersion?: string;
  } = {},
) {
  const calls: string[] = [];
  const registrars: HookRegistrars = {
    resolve: request => `/pkg/${request}`,
    load: file => {
      if (options.loadThrows) throw new Error(`Cannot find module '${file}'`);
      return {
        supportsSyncHooks: () => options.syncHooks ?? true,
        register: ({ include }: { include: string[] }) => {
          if (options.syncThrows) throw new Error('hooks refused');
          calls.push(`registerHooks ${include.join(',')}`);
        },
      };
    },
    register:
      options.register === false
        ? undefined
        : (((url: URL | string, opts?: { data?: { include: string[] } }) => {
            calls.push(`register ${String(url)} ${opts?.data?.include.join(',')}`);
          }) as HookRegistrars['register']),
    execArgv: options.execArgv ?? [],
    iitmVersion: () => options.iitmVersion ?? '3.6.0',
    isMainThread: options.mainThread ?? true,
    laterHooks: () => undefined,
  };
  return { registrars, calls };
}

describe('the ESM hook', () => {
  test('the include list is every module the instrumentations hook, once, in order', () => {
    expect(instrumentedModules([new Hooks(['https', 'http']), new Hooks(['http', 'pino']), new Hooks([])])).toEqual(['https', 'http', 'pino']);
  });

  test.each<[string, Parameters<typeof fakeNode>[0], EsmHookStatus, string[]]>([
    [
      "a Node with correct module.registerHooks: in the app's thread",
      {},
      { state: 'registered', mode: 'in-thread', include: ['http', 'pino'] },
      ['registerHooks http,pino'],
    ],
    [
      'a worker thread registers its own synchronous hooks',
      { mainThread: false },
      { state: 'registered', mode: 'in-thread', include: ['http', 'pino'] },
      ['registerHooks http,pino'],
    ],
    [
      "an older 22 or 24 patch release: Node's loader thread",
      { syncHooks: false },
      { state: 'registered', mode: 'loader-thread', include: ['http', 'pino'] },
      [`register file:///pkg/${ESM_LOADER} http,pino`],
    ],
    [
      "an older patch release, in a worker: the main thread's loader serves it",
      { syncHooks: false, mainThread: false },
      { state: 'off', reason: "not the main thread (its imports go through the main thread's loader)" },
      [],
    ],
    ['registerHooks refuses: off, with the reason', { syncThrows: true }, { state: 'off', reason: 'module.registerHooks failed: hooks refused' }, []],
    [
      'the hooks cannot be loaded: off, with the reason',
      { loadThrows: true },
      { state: 'off', reason: "import-in-the-middle's hooks could not be loaded: Cannot find module '/pkg/import-in-the-middle/register-hooks.mjs'" },
      [],
    ],
    [
      'a loader given with --experimental-loader is not registered twice',
      { execArgv: ['--experimental-loader', '@opentelemetry/instrumentation/hook.mjs'] },
      { state: 'off', reason: LOADER_ALREADY_GIVEN },
      [],
    ],
    [
      'an import-in-the-middle older than 3.2: registered, and what it cannot do is said',
      { iitmVersion: '3.1.4' },
      {
        state: 'registered',
        mode: 'in-thread',
        include: ['http', 'pino'],
        limitation:
          'import-in-the-middle 3.1.4 is older than 3.2: instrumentations the app adds itself are hooked on require only, not on import; install import-in-the-middle 3.2 or later',
      },
      ['registerHooks http,pino'],
    ],
    [
      'import-in-the-middle 3.10 is newer than 3.2, not older',
      { iitmVersion: '3.10.0' },
      { state: 'registered', mode: 'in-thread', include: ['http', 'pino'] },
      ['registerHooks http,pino'],
    ],
    [
      'a loader given with --loader= is not registered twice',
      { execArgv: ['--loader=import-in-the-middle/hook.mjs'] },
      { state: 'off', reason: LOADER_ALREADY_GIVEN },
      [],
    ],
  ])('%s', (_title, options, status, calls) => {
    const node = fakeNode(options);
    expect(hookImports('true', [new Hooks(['http']), new Hooks(['pino'])], node.registrars)).toEqual(status);
    expect(node.calls).toEqual(calls);
  });

  test('TRACEHOP_ESM_HOOK=false registers nothing and says so', () => {
    const node = fakeNode();
    expect(hookImports('false', [new Hooks(['pino'])], node.registrars)).toEqual({ state: 'off', reason: 'TRACEHOP_ESM_HOOK=false' });
    expect(node.calls).toEqual([]);
  });

  test('nothing to hook registers nothing', () => {
    const node = fakeNode();
    expect(hookImports('true', [new Hooks([])], node.registrars)).toEqual({ state: 'off', reason: 'no instrumented modules' });
    expect(node.calls).toEqual([]);
  });

  test('the in-thread hooks are given a matcher that agrees with the include list', () => {
    let matcher: ((url: string, specifier: string) => boolean) | undefined;
    const node = fakeNode();
    const load = node.registrars.load;
    const registrars: HookRegistrars = {
      ...node.registrars,
      load: file => ({
        ...(load(file) as object),
        register: (options: { shouldInclude?: typeof matcher }) => {
          matcher = options.shouldInclude;
        },
      }),
    };
    hookImports('true', [new Hooks(['http'])], registrars);
    expect(matcher?.('node:http', 'http')).toBe(true);
    expect(matcher?.('file:///app/node_modules/ioredis/built/index.js', 'ioredis')).toBe(false);
  });

  test('the main thread is not the loader hooks thread', () => {
    expect(isModuleHooksThread()).toBe(false);
  });
});

/** Hooks made later, as import-in-the-middle's channel would report them: each batch once. */
function later(): LaterHooks & { hook(...names: string[]): void } {
  const pending: string[] = [];
  return {
    hook: (...names) => {
      pending.push(...names);
    },
    take: () => pending.splice(0),
  };
}

describe('which imports the in-thread hooks wrap', () => {
  test.each<[string, string, string, boolean]>([
    ['a listed package by its bare specifier', 'file:///app/node_modules/pino/pino.js', 'pino', true],
    ['a listed builtin by its bare name', 'node:http', 'http', true],
    ['a listed builtin by its node: specifier', 'node:http', 'node:http', true],
    ['a file inside a listed package, imported by path', 'file:///app/node_modules/pino/lib/tools.js', './lib/tools.js', false],
    ['a package nobody hooks', 'file:///app/node_modules/ioredis/built/index.js', 'ioredis', false],
    ["the app's own module", 'file:///app/app.mjs', './app.mjs', false],
  ])("tracehop's list alone: %s", (_title, url, specifier, wrapped) => {
    expect(includedModules(['http', 'pino'], undefined)(url, specifier)).toBe(wrapped);
  });

  test('a module hooked by an instrumentation registered later is wrapped from its next import on', () => {
    const hooks = later();
    const shouldInclude = includedModules(['http'], hooks);
    const ioredis = 'file:///app/node_modules/ioredis/built/index.js';
    expect(shouldInclude(ioredis, 'ioredis')).toBe(false);
    hooks.hook('ioredis', 'pg');
    expect(shouldInclude(ioredis, 'ioredis')).toBe(true);
    expect(shouldInclude('file:///app/node_modules/pg/lib/index.js', 'pg')).toBe(true);
    expect(shouldInclude('node:http', 'http')).toBe(true);
  });

  test('a later hook of a builtin and of an absolute path match their node: URL and their file', () => {
    const hooks = later();
    const shouldInclude = includedModules([], hooks);
    const file = '/app/lib/db.mjs';
    hooks.hook('dns', file);
    expect(shouldInclude('node:dns', 'node:dns')).toBe(true);
    expect(shouldInclude(pathToFileURL(file).href, './lib/db.mjs')).toBe(true);
    expect(shouldInclude(pathToFileURL('/app/lib/other.mjs').href, './lib/other.mjs')).toBe(false);
  });
});
