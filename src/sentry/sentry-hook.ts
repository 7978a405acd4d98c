/**
 * The instrumentation that sees the app load `@sentry/core` (through
 * `require` or `import`, each copy) and hands it to the bridge. The module's
 * exports are used, never changed.
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { tracehopDiag } from '../diag';
import { sentryCoreOf } from './sentry-core';
import type { SentryBridge } from './sentry-bridge';

/** Sentry 11 and its minors: `registerExternalPropagationContext` first shipped in 11; Sentry 8-10 are described in docs/sentry.md (and `sentrySupport` says so to the doctor). */
export const SUPPORTED_SENTRY_VERSIONS = ['>=11 <12'];

export class SentryHookInstrumentation extends InstrumentationBase<InstrumentationConfig> {
  constructor(
    private readonly bridge: SentryBridge,
    config: InstrumentationConfig = {},
  ) {
    super('tracehop-sentry', '1.0.0', config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        '@sentry/core',
        SUPPORTED_SENTRY_VERSIONS,
        (moduleExports: unknown) => {
          const core = sentryCoreOf(moduleExports);
          if (core === null) tracehopDiag.warn('Sentry: @sentry/core lacks the functions tracehop uses; its events will not carry the request');
          else this.bridge.attach(core);
          return moduleExports;
        },
        (moduleExports: unknown) => moduleExports,
      ),
    ];
  }
}
