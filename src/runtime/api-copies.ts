/**
 * Hooks every load of `@opentelemetry/api` (require and import), and warns,
 * once per version, about a copy that does not see tracehop's tracer provider.
 *
 * Why: the API keeps its globals under one `Symbol.for` key per major, and a
 * copy takes them only from a copy of the same major whose minor is at least
 * its own. tracehop registers them with its own copy (1.10), so an app's 1.9
 * or 1.10 sees them; a newer copy (1.11) silently gets no-op tracers: its
 * spans are not recorded, and its `getActiveSpan()` never sees the request.
 * Nothing in OpenTelemetry says so. The hook changes nothing (the patch
 * returns the exports as they are); it only makes that loss speak, and tells
 * the doctor what each copy sees (src/introspection/hook-observer.ts).
 *
 * The check uses the public API only: a copy that sees tracehop's globals
 * returns from `trace.getTracerProvider()` the very provider tracehop's copy
 * returns; one that does not returns a proxy of its own.
 */
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { reporter } from '../diag';
import { ModuleHookInstrumentation } from '../core/module-hook';
import type { ModuleHook } from '../core/module-hook';
import { API_MODULE, TRACEHOP_API_MINOR } from '../introspection/api-copy';
import { apiCopyState } from '../introspection/api-copy-state';

/** The warning for a copy that does not see tracehop's provider. */
export function separateCopyWarning(version: string | undefined): string {
  const named = version === undefined ? 'a copy of @opentelemetry/api of unknown version' : `@opentelemetry/api ${version}`;
  return (
    `the app loaded ${named}, which does not see tracehop's tracer provider (tracehop registers it with @opentelemetry/api ${TRACEHOP_API_MINOR}): ` +
    `spans made through that copy are not recorded, and its trace.getActiveSpan() does not see the request; ` +
    `use @opentelemetry/api ${TRACEHOP_API_MINOR} or older in the app`
  );
}

/** Replaces nothing, so `disable()` has nothing to put back. */
export class ApiCopiesInstrumentation extends ModuleHookInstrumentation {
  /** Versions already warned about: copies of one version see the same globals, so one warning says it for all. */
  private readonly warnedVersions = new Set<string>();

  constructor(config: InstrumentationConfig = {}) {
    super('tracehop-api-copies', config);
  }

  protected hooks(): ModuleHook[] {
    return [
      {
        module: API_MODULE,
        // Every version: the one a newer minor than ours is the one to warn about.
        versions: ['*'],
        patch: (moduleExports, _replacements, version) => {
          this.check(moduleExports, version);
          return moduleExports;
        },
      },
    ];
  }

  private check(moduleExports: unknown, version: string | undefined): void {
    try {
      if (apiCopyState(moduleExports) !== 'separate-provider') return;
      const key = version ?? 'unknown';
      if (this.warnedVersions.has(key)) return;
      this.warnedVersions.add(key);
      // A kind per version: a second, different copy within the interval still gets its own line.
      reporter.warn(`api copy ${key}`, separateCopyWarning(version));
    } catch {
      // The app's require or import must never fail because of a warning about it; the doctor still checks each copy.
    }
  }
}
