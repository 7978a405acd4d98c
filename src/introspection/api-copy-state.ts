/**
 * Which copy of `@opentelemetry/api` a module's exports are, and whether it
 * sees tracehop's tracer provider: read by the API-copies hook
 * (src/runtime/api-copies.ts) and the doctor's load watcher
 * (hook-observer.ts), both in the app. Public API only: a copy that sees
 * tracehop's globals returns from `trace.getTracerProvider()` the very
 * provider tracehop's copy returns; one that does not returns a proxy of its own.
 */
import { trace } from '@opentelemetry/api';
import { isModuleNamespace } from '../core/module-namespace';
import type { ApiCopyState } from './api-copy';

type TraceApi = { getTracerProvider(): unknown };

/**
 * The state of one copy of the API from its exports (CommonJS, or an ES
 * module namespace); undefined when the exports do not look like the API.
 * Only reads: the copy's `trace.getTracerProvider()` registers nothing.
 */
export function apiCopyState(moduleExports: unknown): ApiCopyState | undefined {
  const copyTrace = traceOf(moduleExports);
  if (copyTrace === undefined) return undefined;
  if (copyTrace === trace) return 'tracehops-own';
  return copyTrace.getTracerProvider() === trace.getTracerProvider() ? 'sees-provider' : 'separate-provider';
}

function traceOf(moduleExports: unknown): TraceApi | undefined {
  const exported = moduleExports as { trace?: unknown; default?: { trace?: unknown } | null } | null | undefined;
  // An ES module namespace of the CommonJS build has `trace` as a named export and on `default`.
  const candidate = exported?.trace ?? (isModuleNamespace(moduleExports) ? exported?.default?.trace : undefined);
  return typeof (candidate as Partial<TraceApi> | null | undefined)?.getTracerProvider === 'function' ? (candidate as TraceApi) : undefined;
}
