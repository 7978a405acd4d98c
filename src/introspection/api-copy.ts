/**
 * What a loaded copy of `@opentelemetry/api` is, as the start-up facts and
 * the doctor tell it. Kept apart from the hook that finds it out
 * (src/runtime/api-copies.ts) so that the doctor's own process, which only
 * reads the facts, loads no OpenTelemetry package.
 */
export const API_MODULE = '@opentelemetry/api';

/**
 * The API minor tracehop registers its globals with: the `~1.10.0` of its
 * `@opentelemetry/api` dependency (a unit test holds the two together).
 * Read from package.json it cannot be: the API's `exports` map hides it.
 */
export const TRACEHOP_API_MINOR = '1.10';

/**
 * tracehop's own copy; another copy that shares tracehop's tracer provider;
 * or one with a provider of its own, whose spans nobody records.
 */
export type ApiCopyState = 'tracehops-own' | 'sees-provider' | 'separate-provider';

export function describeApiCopy(state: ApiCopyState): string {
  switch (state) {
    case 'tracehops-own':
      return "tracehop's own copy";
    case 'sees-provider':
      return "sees tracehop's tracer provider";
    case 'separate-provider':
      return "does NOT see tracehop's tracer provider";
  }
}
