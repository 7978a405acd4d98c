import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { LOADER_ALREADY_GIVEN, hookImports, instrumentedModules, isModuleHooksThread, registerEsmHook } from '../../src/esm-hook';

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

  test('TRACEHOP_ESM_HOOK=false registers nothing and says so', () => {
    expect(hookImports(false, [new Hooks(['pino'])])).toEqual({ state: 'off', reason: 'TRACEHOP_ESM_HOOK=false' });
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
