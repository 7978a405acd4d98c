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
  /**
   * Decided by a package.json with no `type`, or by none: Node then also runs
   * a file that does not parse as CommonJS, for its ES module syntax, as an
   * ES module (module syntax detection, on by default since Node 20.19 and 22.7).
   */
  readonly typeless?: true;
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
    const type = packageType(text);
    if (type === 'module') return { system: 'esm', reason: `"type": "module" in ${file}` };
    return type === 'commonjs'
      ? { system: 'commonjs', reason: `"type": "commonjs" in ${file}` }
      : { system: 'commonjs', reason: `no "type": "module" in ${file}`, typeless: true };
  }
  return { system: 'commonjs', reason: 'no package.json above it', typeless: true };
}

function packageType(text: string): unknown {
  try {
    return (JSON.parse(text) as { type?: unknown } | null)?.type;
  } catch {
    return undefined;
  }
}
