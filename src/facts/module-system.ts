/**
 * Which module system Node loads an entry script with, by Node's own rules
 * (https://nodejs.org/api/packages.html#determining-module-system): the
 * extension first, then the `type` of the nearest package.json, then, with
 * no `type`, the file's own syntax (module-syntax.ts). Pure apart from the
 * `readFile` it is given.
 */
import * as path from 'node:path';
import { packageJsonsAbove } from '../package-json';
import { containsModuleSyntax } from './module-syntax';

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

export function entryModuleSystem(entryScript: string | undefined, readFile: (file: string) => string | undefined): EntryModuleSystem {
  if (!entryScript) return { system: 'unknown', reason: 'no entry script' };
  const entry = path.resolve(entryScript);
  const extension = path.extname(entry).toLowerCase();
  if (ESM_EXTENSIONS.has(extension)) return { system: 'esm', reason: `${extension} extension` };
  if (COMMONJS_EXTENSIONS.has(extension)) return { system: 'commonjs', reason: `${extension} extension` };
  // The nearest package.json decides even without a "type": Node stops at the first one.
  for (const { file, text } of packageJsonsAbove(entry, readFile)) {
    const type = packageType(text);
    if (type === 'module') return { system: 'esm', reason: `"type": "module" in ${file}` };
    if (type === 'commonjs') return { system: 'commonjs', reason: `"type": "commonjs" in ${file}` };
    return bySyntax(entry, readFile, `no "type": "module" in ${file}`, `no "type" in ${file}`);
  }
  return bySyntax(entry, readFile, 'no package.json above it', 'no package.json above it');
}

/** With no `type` to say: ES module syntax makes an ES module, anything else CommonJS. */
function bySyntax(entry: string, readFile: (file: string) => string | undefined, where: string, asModule: string): EntryModuleSystem {
  const source = readFile(entry);
  if (source === undefined) return { system: 'commonjs', reason: `${where}; the file could not be read`, typeless: true };
  if (source.length > SYNTAX_CHECK_MAX_BYTES) return { system: 'commonjs', reason: `${where}; larger than 512 kB, not checked for ES module syntax`, typeless: true };
  return containsModuleSyntax(source)
    ? { system: 'esm', reason: `ES module syntax, ${asModule}`, typeless: true }
    : { system: 'commonjs', reason: where, typeless: true };
}

/** The `type` of a package.json's text; undefined when it has none or is not JSON. */
export function packageType(text: string): unknown {
  try {
    return (JSON.parse(text) as { type?: unknown } | null)?.type;
  } catch {
    return undefined;
  }
}
