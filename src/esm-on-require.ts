/**
 * TRACEHOP_ESM_HOOK=auto for a CommonJS app: the import loader hook is
 * registered the first time the app requires an ES module.
 *
 * Node (20.19 and later, 22.12 and later) loads an ES module given to
 * `require()`, and with it the whole graph of modules that module imports.
 * The require hooks see none of those imports: an ES-module-only framework
 * (NestJS 12 is one) imports express, and express would go unhooked, so
 * its routes would go unnamed. So until the first ES module is required, each file
 * `require` loads is checked, by Node's rules, for being an ES module: a
 * `.mjs` file, or a `.js` file whose nearest package.json says
 * `"type": "module"`. The first one registers the hook, before Node loads
 * it; every file after it is passed on unchecked.
 *
 * Node's own `require` of a `.js` or `.mjs` file goes through
 * `Module._extensions`, which is what is wrapped here: once, and left in
 * place (another tool may have wrapped it since, and restoring ours would
 * undo theirs).
 */
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import { packageType } from './facts/module-system';

type ExtensionHandler = (module: unknown, filename: string) => unknown;
type Extensions = Record<string, ExtensionHandler | undefined>;

/** What the nearest package.json says of a file's package: its `type`, or `none` (no `type`, no package.json). */
export type PackageType = 'module' | 'commonjs' | 'none';

/** Whether `require` loads `filename` as an ES module, by its extension and its package's type. Pure. */
export function requiresAsEsModule(filename: string, packageTypeOf: (filename: string) => PackageType): boolean {
  if (filename.endsWith('.mjs')) return true;
  return filename.endsWith('.js') && packageTypeOf(filename) === 'module';
}

/**
 * The package type of a file, as Node finds it: the nearest package.json
 * above it decides (one without `type` is CommonJS), and the search stops
 * at a `node_modules` directory. Each directory is looked at once.
 */
export function packageTypeLookup(readFile: (file: string) => string | undefined): (filename: string) => PackageType {
  const byDirectory = new Map<string, PackageType>();
  return filename => {
    const visited: string[] = [];
    let dir = path.dirname(filename);
    let type: PackageType;
    for (;;) {
      const known = byDirectory.get(dir);
      if (known !== undefined) {
        type = known;
        break;
      }
      visited.push(dir);
      if (path.basename(dir) === 'node_modules') {
        type = 'none';
        break;
      }
      const text = readFile(path.join(dir, 'package.json'));
      if (text !== undefined) {
        type = typeIn(text);
        break;
      }
      const parent = path.dirname(dir);
      if (parent === dir) {
        type = 'none';
        break;
      }
      dir = parent;
    }
    for (const each of visited) byDirectory.set(each, type);
    return type;
  };
}

function typeIn(packageJson: string): PackageType {
  const type = packageType(packageJson);
  return type === 'module' || type === 'commonjs' ? type : 'none';
}

/**
 * Calls `register(filename)` once, just before `require` first loads an ES
 * module. Never throws into the app's `require`: a failing `register` is its own to report.
 */
export function registerWhenEsModuleRequired(
  register: (filename: string) => void,
  packageTypeOf: (filename: string) => PackageType,
  extensions: Extensions = (nodeModule as unknown as { _extensions: Extensions })._extensions,
): void {
  let registered = false;
  for (const extension of ['.js', '.mjs']) {
    const original = extensions[extension];
    if (typeof original !== 'function') continue;
    extensions[extension] = function loadWatchingForEsModules(this: unknown, module: unknown, filename: string): unknown {
      if (!registered) {
        try {
          if (typeof filename === 'string' && requiresAsEsModule(filename, packageTypeOf)) {
            registered = true;
            register(filename);
          }
        } catch {
          // Left unhooked; the app's require goes on as it would.
        }
      }
      return original.call(this, module, filename);
    };
  }
}
