/**
 * The package.json files above a file, nearest first. Pure apart from the
 * `readFile` it is given: it yields only the ones that exist.
 */
import * as path from 'node:path';

/** How many directories above the start are searched: deeper trees are not real apps. */
const MAX_PACKAGE_JSON_DEPTH = 32;

export function* packageJsonsAbove(file: string, readFile: (file: string) => string | undefined): Generator<{ file: string; text: string }> {
  let dir = path.dirname(path.resolve(file));
  for (let depth = 0; depth < MAX_PACKAGE_JSON_DEPTH; depth++) {
    const candidate = path.join(dir, 'package.json');
    const text = readFile(candidate);
    if (text !== undefined) yield { file: candidate, text };
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}
