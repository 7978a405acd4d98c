/**
 * The pino mixin, for users who build loggers where the automatic hook
 * cannot see them (a bundled pino, a logger made before the preload):
 *
 *     const logger = pino({ mixin: tracehopMixin });
 */
import { sharedRuntime } from '../core/shared-state';
import { createLogFieldsReader } from './log-fields';
import type { LogFields } from './log-fields';

/** With tracehop not running: the default names, made on first use. */
let defaultReader: (() => LogFields) | undefined;

/**
 * A pino `mixin` that adds trace_id, span_id, trace_flags, request_id and
 * request_chain while a span is active, and nothing otherwise. Uses the field
 * names of the running tracehop configuration (TRACEHOP_LOG_FIELDS), whichever
 * copy of tracehop it was imported from.
 */
export function tracehopMixin(): LogFields {
  const runtime = sharedRuntime();
  if (runtime !== undefined) return runtime.logFields.read();
  defaultReader ??= createLogFieldsReader();
  return defaultReader();
}
