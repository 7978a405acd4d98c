/**
 * Which module system Node loads an entry script with, by Node's own rules
 * (https://nodejs.org/api/packages.html#determining-module-system): the
 * extension first, then the `type` of the nearest package.json. Pure apart
 * from the `readFile` it is given.
 */
import * as path from 'node:path';
import { packageJsonsAbove } from '../package-json';

export type ModuleSystem = 'esm' | 'commonjs';

export interface EntryModuleSystem {
  readonly system: ModuleSystem | 'unknown';
  /** Why, in a few words: the extension, or the package.json that decided. */
  readonly reason: string;
}


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
    return packageType(text) === 'module'
      ? { system: 'esm', reason: `"type": "module" in ${file}` }
      : { system: 'commonjs', reason: `no "type": "module" in ${file}` };
  }
  return { system: 'commonjs', reason: 'no package.json above it' };
}

function packageType(text: string): unknown {
  try {
    return (JSON.parse(text) as { type?: unknown } | null)?.type;
  } catch {
    return undefined;
  }
}
