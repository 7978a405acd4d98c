import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { LOADER_ALREADY_GIVEN, esmHookWanted, hookImports, instrumentedModules, isModuleHooksThread, registerEsmHook } from '../../src/esm-hook';
import type { AppStart } from '../../src/esm-hook';
import type { EntryModuleSystem } from '../../src/facts/module-system';

const ESM_ENTRY: EntryModuleSystem = { system: 'esm', reason: '.mjs extension' };
const CJS_ENTRY: EntryModuleSystem = { system: 'commonjs', reason: '"type": "commonjs" in /srv/app/package.json' };
const TYPELESS_CJS_ENTRY: EntryModuleSystem = { system: 'commonjs', reason: 'no "type": "module" in /srv/app/package.json', typeless: true };
const TYPELESS_ESM_ENTRY: EntryModuleSystem = { system: 'esm', reason: 'ES module syntax, no "type" in /srv/app/package.json', typeless: true };
const NO_ENTRY: EntryModuleSystem = { system: 'unknown', reason: 'no entry script' };
const start = (entry: EntryModuleSystem, nodeOptions: string[] = []): AppStart => ({ entry: () => entry, nodeOptions });

class Hooks extends InstrumentationBase {
  constructor(private readonly names: string[]) {
    super('test-hooks', '1.0.0', { enabled: false });
  }

  protected init() {
    // init() runs inside super(), before `names` is set; getModuleDefinitions() calls it again later.
    return (this.names ?? []).map(name => new InstrumentationNodeModuleDefinition(name, ['*']));
  }
}

describe('the ESM hook', () => {
  test('the include list is every module the instrumentations hook, once, in order', () => {
    expect(instrumentedModules([new Hooks(['https', 'http']), new Hooks(['http', 'pino']), new Hooks([])])).toEqual(['https', 'http', 'pino']);
  });

  test('TRACEHOP_ESM_HOOK=false registers nothing and says so, even for an ES module app', () => {
    expect(hookImports('false', [new Hooks(['pino'])], start(ESM_ENTRY))).toEqual({ state: 'off', reason: 'TRACEHOP_ESM_HOOK=false' });
  });

  test('TRACEHOP_ESM_HOOK=auto leaves a CommonJS app to the require hooks, and says why', () => {
    expect(hookImports('auto', [new Hooks(['pino'])], start(CJS_ENTRY, ['--enable-source-maps']))).toEqual({
      state: 'off',
      reason: 'TRACEHOP_ESM_HOOK=auto, and the entry point is CommonJS ("type": "commonjs" in /srv/app/package.json)',
    });
  });

  test('TRACEHOP_ESM_HOOK=auto with a watch on require: a CommonJS app gets the hook when it first requires an ES module', () => {
    let register: ((filename: string) => void) | undefined;
    const late: Array<[string, string]> = [];
    const status = hookImports('auto', [new Hooks(['express'])], start(CJS_ENTRY), watch => { register = watch; }, (result, filename) => late.push([result.state, filename]));
    expect(status).toEqual({
      state: 'when-required',
      reason: 'TRACEHOP_ESM_HOOK=auto, and the entry point is CommonJS ("type": "commonjs" in /srv/app/package.json)',
      include: ['express'],
    });
    // The watch calls back with the ES module about to load; the registration's outcome is reported with it.
    register?.('/srv/app/node_modules/esm-only/index.js');
    expect(late).toHaveLength(1);
    expect(late[0]![1]).toBe('/srv/app/node_modules/esm-only/index.js');
  });

  test.each<[string, AppStart, boolean]>([
    ['an ES module entry point', start(ESM_ENTRY), true],
    ['a typeless entry with ES module syntax', start(TYPELESS_ESM_ENTRY), true],
    ['--import on the command line (tracehop, tsx or another)', start(CJS_ENTRY, ['--import', 'tsx']), true],
    ['--import=... in one option', start(CJS_ENTRY, ['--import=tracehop/register']), true],
    ['an --experimental-loader', start(CJS_ENTRY, ['--experimental-loader', './loader.mjs']), true],
    ['a --loader=...', start(CJS_ENTRY, ['--loader=./loader.mjs']), true],
    ['--experimental-default-type=module', start(TYPELESS_CJS_ENTRY, ['--experimental-default-type=module']), true],
    ['--experimental-default-type module, as two options', start(TYPELESS_CJS_ENTRY, ['--experimental-default-type', 'module']), true],
    ['--input-type=module, with no entry script', start(NO_ENTRY, ['--input-type=module']), true],
    ['--input-type module, as two options', start(NO_ENTRY, ['--input-type', 'module']), true],
    ['a typeless CommonJS entry', start(TYPELESS_CJS_ENTRY), false],
    ['"type": "commonjs"', start(CJS_ENTRY), false],
    ['a REPL or -e', start(NO_ENTRY, ['--enable-source-maps']), false],
    ['--input-type commonjs', start(NO_ENTRY, ['--input-type', 'commonjs']), false],
    ['options that load no ES module', start(CJS_ENTRY, ['--require', './other.js', '--inspect', '--input-type=commonjs', '--experimental-default-type=commonjs']), false],
  ])('TRACEHOP_ESM_HOOK=auto: %s -> %s', (_title, appStart, wanted) => {
    expect(esmHookWanted(appStart).wanted).toBe(wanted);
  });

  test('nothing to hook registers nothing', () => {
    expect(registerEsmHook([])).toEqual({ state: 'off', reason: 'no instrumented modules' });
  });

  test('a loader that cannot be found leaves imports unhooked, with the reason, and does not throw', () => {
    const missing = () => {
      throw new Error('Cannot find module');
    };
    expect(registerEsmHook(['pino'], missing)).toEqual({ state: 'off', reason: 'module.register failed: Cannot find module' });
  });

  test.each([
    [['--experimental-loader', '@opentelemetry/instrumentation/hook.mjs']],
    [['--loader=import-in-the-middle/hook.mjs']],
  ])('a loader already given on the command line (%j) is not registered twice', execArgv => {
    const resolve = () => {
      throw new Error('must not be reached');
    };
    expect(registerEsmHook(['pino'], resolve, execArgv)).toEqual({ state: 'off', reason: LOADER_ALREADY_GIVEN });
  });

  test('the main thread is not the loader hooks thread', () => {
    expect(isModuleHooksThread()).toBe(false);
  });
});
