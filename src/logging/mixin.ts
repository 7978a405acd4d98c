/**
 * The pino mixin, for users who build loggers where the automatic hook
 * cannot see them (a bundled pino, a logger made before the preload):
 *
 *     const logger = pino({ mixin: tracehopMixin });
 */
import type { LogFieldNames } from '../config';
import { createLogFieldsJsonReader, createLogFieldsReader } from './log-fields';
import type { LogFields } from './log-fields';

let readFields = createLogFieldsReader();
let readFieldsJson = createLogFieldsJsonReader();

/**
 * A pino `mixin` that adds trace_id, span_id, trace_flags, request_id and
 * request_chain while a span is active, and nothing otherwise. Uses the field
 * names of the running tracehop configuration (TRACEHOP_LOG_FIELDS).
 */
export function tracehopMixin(): LogFields {
  return readFields();
}

/** The same fields as JSON object members (see `createLogFieldsJsonReader`), for the pino hook. */
export function tracehopFieldsJson(): string {
  return readFieldsJson();
}

/** Points `tracehopMixin` and the pino hook at the configured field names. Called once by register. */
export function configureLogFields(names: LogFieldNames): void {
  readFields = createLogFieldsReader(names);
  readFieldsJson = createLogFieldsJsonReader(names);
}
