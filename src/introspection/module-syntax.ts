/**
 * Whether source that Node would try as CommonJS is an ES module by its
 * syntax, decided as Node's module syntax detection decides it (on by
 * default since Node 20.19 and 22.7, for files under a package.json with no
 * `type`): compiled, never run, as a CommonJS module body; an error that only
 * ES module syntax causes (a static `import` or `export`, `import.meta`)
 * makes it one, and so does any other error that goes away when the source
 * is compiled as the body of an async function, with no CommonJS parameters
 * (a top-level `await`, a top-level `const require`).
 */
import { Script, compileFunction } from 'node:vm';

/** Errors V8 gives for ES module syntax in a script. */
const ESM_SYNTAX_ERRORS = ['Cannot use import statement outside a module', "Unexpected token 'export'", "Cannot use 'import.meta' outside a module"];

const COMMONJS_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];

export function containsModuleSyntax(source: string): boolean {
  // A BOM and a shebang line are allowed at the start of either kind.
  const body = source.replace(/^\uFEFF/, '').replace(/^#!.*/, '');
  const error = compileError(() => compileFunction(body, COMMONJS_PARAMETERS));
  if (error === undefined) return false;
  if (ESM_SYNTAX_ERRORS.some(message => error.includes(message))) return true;
  // Any other error: an ES module also allows a top-level `await` and its own `require`, which an async function's body allows too.
  return compileError(() => new Script(`(async function () {${body}\n})`)) === undefined;
}

function compileError(compile: () => unknown): string | undefined {
  try {
    compile();
    return undefined;
  } catch (error) {
    // The compile error is the answer, returned to the caller: nothing is lost.
    return error instanceof Error ? error.message : String(error);
  }
}
