import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { LOADER_ALREADY_GIVEN, esmHookWanted, hookImports, instrumentedModules, isModuleHooksThread, registerEsmHook } from '../../src/esm-hook';
import type { AppStart } from '../../src/esm-hook';
import type { EntryModuleSystem } from '../../src/facts/module-system';

const ESM_ENTRY: EntryModuleSystem = { system: 'esm', reason: '.mjs extension' };
const CJS_ENTRY: EntryModuleSystem = { system: 'commonjs', reason: '"type": "commonjs" in /srv/app/package.json' };
const TYPELESS_ENTRY: EntryModuleSystem = { system: 'commonjs', reason: 'no "type": "module" in /srv/app/package.json', typeless: true };
const NO_ENTRY: EntryModuleSystem = { system: 'unknown', reason: 'no entry script' };
const CJS_SOURCE = "'use strict';\nconst http = require('node:http');\nimport('./late.mjs').then(() => {});\n";
const start = (entry: EntryModuleSystem, nodeOptions: string[] = [], entrySource: string | undefined = undefined): AppStart => ({ entry, nodeOptions, entrySource });

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
    expect(hookImports('auto', [new Hooks(['pino'])], start(CJS_ENTRY, ['--enable-source-maps'], CJS_SOURCE))).toEqual({
      state: 'off',
      reason: 'TRACEHOP_ESM_HOOK=auto, and the entry point is CommonJS ("type": "commonjs" in /srv/app/package.json)',
    });
  });

  test.each<[string, AppStart, boolean]>([
    ['an ES module entry point', start(ESM_ENTRY), true],
    ['--import on the command line (tracehop, tsx or another)', start(CJS_ENTRY, ['--import', 'tsx']), true],
    ['--import=... in one option', start(CJS_ENTRY, ['--import=tracehop/register']), true],
    ['an --experimental-loader', start(CJS_ENTRY, ['--experimental-loader', './loader.mjs']), true],
    ['a --loader=...', start(CJS_ENTRY, ['--loader=./loader.mjs']), true],
    ['--experimental-default-type=module', start(TYPELESS_ENTRY, ['--experimental-default-type=module'], CJS_SOURCE), true],
    ['--input-type=module, with no entry script', start(NO_ENTRY, ['--input-type=module']), true],
    ['a typeless .js entry with a static import', start(TYPELESS_ENTRY, [], "import http from 'node:http';\n"), true],
    ['a typeless entry with an indented import of names', start(TYPELESS_ENTRY, [], "  import { pino } from 'pino';\n"), true],
    ['a typeless entry with a side-effect import', start(TYPELESS_ENTRY, [], "import './setup.js';\n"), true],
    ['a typeless entry with an export', start(TYPELESS_ENTRY, [], 'export const port = 3000;\n'), true],
    ['a typeless entry reading import.meta', start(TYPELESS_ENTRY, [], 'const here = import.meta.url;\n'), true],
    ['a typeless entry with a top-level await', start(TYPELESS_ENTRY, [], "await import('./server.mjs');\n"), true],
    ['a typeless CommonJS entry', start(TYPELESS_ENTRY, [], CJS_SOURCE), false],
    ['a typeless entry that could not be read', start(TYPELESS_ENTRY, [], undefined), false],
    ['"type": "commonjs", whatever the file holds', start(CJS_ENTRY, [], "import http from 'node:http';\n"), false],
    ['a REPL or -e', start(NO_ENTRY, ['--enable-source-maps']), false],
    ['options that load no ES module', start(CJS_ENTRY, ['--require', './other.js', '--inspect', '--input-type=commonjs']), false],
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
