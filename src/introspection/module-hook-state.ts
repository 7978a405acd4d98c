/**
 * What the start-up facts and the doctor say of the module hooks: where they
 * run, what they include, or why they are off. Kept apart from the code that
 * registers them (src/runtime/module-hooks.ts), which uses these as well.
 */
import type { Instrumentation, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';

/** Why the hook is off when such a loader is already there: then `import` is hooked all the same. */
export const LOADER_ALREADY_GIVEN = 'an import-in-the-middle loader is already on the command line';

/** Where the hooks run: in the app's thread (`module.registerHooks`) or in Node's loader thread (`module.register`). */
export type EsmHookMode = 'in-thread' | 'loader-thread';

export type EsmHookStatus =
  | {
      readonly state: 'registered';
      readonly mode: EsmHookMode;
      readonly include: readonly string[];
      /** What the hooks cannot do with the import-in-the-middle copy found, said once at start-up. */
      readonly limitation?: string;
    }
  | { readonly state: 'off'; readonly reason: string };

/** The module names the instrumentations hook, in order, without repeats. */
export function instrumentedModules(instrumentations: readonly Instrumentation[]): string[] {
  const names = new Set<string>();
  for (const instrumentation of instrumentations) {
    // Instrumentations built on InstrumentationBase list their modules; others (none of ours) hook nothing by module.
    const definitions = (instrumentation as { getModuleDefinitions?: () => InstrumentationModuleDefinition[] }).getModuleDefinitions?.() ?? [];
    for (const definition of definitions) names.add(definition.name);
  }
  return [...names];
}
