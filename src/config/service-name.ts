/**
 * Where `service.name` comes from: OTEL_SERVICE_NAME, then `service.name` in
 * OTEL_RESOURCE_ATTRIBUTES, then (in a worker thread) the name the main
 * thread resolved, then the `name` in the package.json nearest to
 * the app's entry script, then the entry script's file name. Pure apart from
 * the `readFile` it is given.
 */
import * as path from 'node:path';
import type { AppFacts, Env } from '.';
import { packageJsonsAbove } from './package-json';

export type ServiceNameSource = 'OTEL_SERVICE_NAME' | 'OTEL_RESOURCE_ATTRIBUTES' | 'main thread' | 'package.json' | 'entry script' | 'default';

export interface ServiceName {
  readonly name: string;
  readonly source: ServiceNameSource;
  /** The package.json the name was read from, when that is its source. */
  readonly packageJson?: string;
}

/** The OpenTelemetry specification's fallback when nothing names the service. */
export const UNKNOWN_SERVICE = 'unknown_service:node';

export function findServiceName(env: Env, app: AppFacts): ServiceName {
  const fromEnv = env.OTEL_SERVICE_NAME?.trim();
  if (fromEnv) return { name: fromEnv, source: 'OTEL_SERVICE_NAME' };
  const fromAttributes = serviceNameFromResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  if (fromAttributes) return { name: fromAttributes, source: 'OTEL_RESOURCE_ATTRIBUTES' };
  // A worker thread belongs to the app's service, whatever file it runs.
  if (app.inheritedServiceName) return { name: app.inheritedServiceName, source: 'main thread' };
  if (!app.entryScript) return { name: UNKNOWN_SERVICE, source: 'default' };
  const entry = path.resolve(app.entryScript);
  for (const { file, text } of packageJsonsAbove(entry, app.readFile)) {
    const name = packageName(text);
    if (name) return { name, source: 'package.json', packageJson: file };
  }
  const base = path.basename(entry).replace(/\.(?:[cm]?[jt]sx?)$/, '');
  return base ? { name: base, source: 'entry script' } : { name: UNKNOWN_SERVICE, source: 'default' };
}

function packageName(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const name = (parsed as { name?: unknown } | null)?.name;
    return typeof name === 'string' && name.trim() ? name.trim() : undefined;
  } catch {
    // A package.json that is not JSON names no service; the next source is tried.
    return undefined;
  }
}

/** `service.name` from `key=value,key=value` (values URL-encoded), or undefined. */
function serviceNameFromResourceAttributes(value: string | undefined): string | undefined {
  if (!value) return undefined;
  for (const pair of value.split(',')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === 'service.name') {
      try {
        const name = decodeURIComponent(pair.slice(at + 1).trim());
        return name || undefined;
      } catch {
        // A malformed escape names no service here; the next source is tried.
        return undefined;
      }
    }
  }
  return undefined;
}
