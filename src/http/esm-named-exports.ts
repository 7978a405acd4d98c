/**
 * Named ES-module imports of http and https: `import { request, get } from
 * 'node:http'`.
 *
 * The http instrumentation patches only the first copy of each module it
 * meets: when a CommonJS module (Express, most web libraries) has required
 * `http` before the app's `import` binds it, the ES module namespace is
 * skipped, and its `request` and `get` stay the unpatched functions: no client
 * span, no headers (open-telemetry/opentelemetry-js#6489). This hook, on the
 * same import-in-the-middle registry, points the namespace's named exports at
 * the patched CommonJS functions. Its `require` of the CommonJS module makes
 * the instrumentation patch that copy first if nothing had, so the order of
 * loads no longer matters; the instrumentation then skips the namespace.
 *
 * Needed only while the hooks run in Node's loader thread (Node 22.15 to
 * 22.22.2 and 24.0 to 24.11.0, or a loader given on the command line): with
 * `module.registerHooks` in the app's thread, the namespace is patched as it
 * is made (tested on 22, 24 and 26 with this hook not installed).
 */
import { dirname } from 'node:path';

const MODULES = ['http', 'https'] as const;
const FUNCTIONS = ['request', 'get'] as const;

type Namespace = Record<string, unknown>;
type HookConstructor = new (modules: string[], hookFn: (namespace: Namespace, name: string) => void) => unknown;

/** Installs the hook; call before the SDK starts, so it runs before the instrumentations' hooks and the doctor's observer. */
export function alignEsmHttpExports(): void {
  // The copy of import-in-the-middle that @opentelemetry/instrumentation
  // uses: its registry is the one the loader reports imports to.
  const instrumentationDir = dirname(require.resolve('@opentelemetry/instrumentation'));
  const iitm = require(require.resolve('import-in-the-middle', { paths: [instrumentationDir] })) as { Hook: HookConstructor };
  new iitm.Hook([...MODULES], (namespace, name) => {
    const commonJs = require(name === 'https' ? 'node:https' : 'node:http') as Namespace;
    for (const fn of FUNCTIONS) {
      const patched = commonJs[fn];
      if (typeof patched === 'function' && '__wrapped' in patched && namespace[fn] !== patched) namespace[fn] = patched;
    }
  });
}
