/**
 * Which module system Node loads an entry script with, by Node's own rules
 * (https://nodejs.org/api/packages.html#determining-module-system): the
 * extension first, then the `type` of the nearest package.json, then, with
 * no `type`, the file's own syntax (module-syntax.ts). Pure apart from the
 * functions it is given: at run time, the nearest package.json is Node's own
 * answer (`module.findPackageJSON`, nearestPackageJson below), so the rule is
 * the one Node applies.
 */
import { findPackageJSON } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { containsModuleSyntax } from './module-syntax';

/** What deciding reads: files, and the package.json nearest to a file. */
export interface EntryFiles {
  readonly readFile: (file: string) => string | undefined;
  readonly nearestPackageJson: (file: string) => string | undefined;
}

/**
 * The package.json Node would use for `file` (the nearest one above it),
 * asked of Node itself; undefined when there is none, or when the file cannot
 * be resolved (it throws then).
 */
export function nearestPackageJson(file: string): string | undefined {
  try {
    const found = findPackageJSON(pathToFileURL(file));
    return found !== undefined && path.basename(found) === 'package.json' ? found : undefined;
  } catch {
    // The entry could not be resolved: then no package.json decides, and its syntax does.
    return undefined;
  }
}

export type ModuleSystem = 'esm' | 'commonjs';

export interface EntryModuleSystem {
  readonly system: ModuleSystem | 'unknown';
  /** Why, in a few words: the extension, or the package.json that decided. */
  readonly reason: string;
  /**
   * Decided under a package.json with no `type`, or none: by the file's
   * syntax, as Node's module syntax detection does (on by default since
   * Node 20.19 and 22.7).
   */
  readonly typeless?: true;
}

/** Larger entry scripts (bundles) are not compiled to look for ES module syntax: they count as CommonJS, as most bundles for Node are. */
export const SYNTAX_CHECK_MAX_BYTES = 512 * 1024;

const ESM_EXTENSIONS = new Set(['.mjs', '.mts']);
const COMMONJS_EXTENSIONS = new Set(['.cjs', '.cts']);

export function entryModuleSystem(entryScript: string | undefined, files: EntryFiles): EntryModuleSystem {
  if (!entryScript) return { system: 'unknown', reason: 'no entry script' };
  const entry = path.resolve(entryScript);
  const readFile = files.readFile;
  const extension = path.extname(entry).toLowerCase();
  if (ESM_EXTENSIONS.has(extension)) return { system: 'esm', reason: `${extension} extension` };
  if (COMMONJS_EXTENSIONS.has(extension)) return { system: 'commonjs', reason: `${extension} extension` };
  // The nearest package.json decides even without a "type": Node stops at the first one.
  const file = files.nearestPackageJson(entry);
  const text = file === undefined ? undefined : readFile(file);
  if (file === undefined || text === undefined) return bySyntax(entry, readFile, 'no package.json above it', 'no package.json above it');
  const type = packageType(text);
  if (type === 'module') return { system: 'esm', reason: `"type": "module" in ${file}` };
  if (type === 'commonjs') return { system: 'commonjs', reason: `"type": "commonjs" in ${file}` };
  return bySyntax(entry, readFile, `no "type": "module" in ${file}`, `no "type" in ${file}`);
}

/** With no `type` to say: ES module syntax makes an ES module, anything else CommonJS. */
function bySyntax(entry: string, readFile: (file: string) => string | undefined, where: string, asModule: string): EntryModuleSystem {
  const source = readFile(entry);
  if (source === undefined) return { system: 'commonjs', reason: `${where}; the file could not be read`, typeless: true };
  if (source.length > SYNTAX_CHECK_MAX_BYTES)
    return { system: 'commonjs', reason: `${where}; larger than 512 kB, not checked for ES module syntax`, typeless: true };
  return containsModuleSyntax(source)
    ? { system: 'esm', reason: `ES module syntax, ${asModule}`, typeless: true }
    : { system: 'commonjs', reason: where, typeless: true };
}

/** The `type` of a package.json's text; undefined when it has none or is not JSON. */
export function packageType(text: string): unknown {
  try {
    return (JSON.parse(text) as { type?: unknown } | null)?.type;
  } catch {
    // Not JSON: then it has no type, as Node treats it; nothing is lost.
    return undefined;
  }
}
