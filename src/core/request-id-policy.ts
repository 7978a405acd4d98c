/**
 * The request-id policy: how new ids are made, which incoming ids are
 * accepted, and how accepted ones are rewritten. Built in: UUID v4 (or v7,
 * TRACEHOP_REQUEST_ID_FORMAT) and the rule of ids/request-id.ts. The app may
 * replace any of the three with `configureRequestIds`. The policy in force
 * is the runtime's (shared-state.ts), so it is the same whichever copy of
 * tracehop the app configures it through.
 *
 * The built-in acceptability rule always runs first, on the incoming value
 * and on whatever an app's function returns, because it is what keeps
 * control characters, CR/LF and over-long values out of headers and log
 * lines: an app's `validate` can only narrow it. An app's function that
 * throws or returns something unusable is reported once through diag, and
 * the built-in rule is used for that id.
 */
import { getRandomValues, randomUUID } from 'node:crypto';
import { reporter, tracehopDiag } from '../diag';
import { isAcceptableId, parseRequestId } from './ids/request-id';
import type { ParsedRequestId } from './ids/request-id';
import { canonicalUuidToTraceId, requestIdToTraceId } from './ids/trace-id';
import { UUID7_RANDOM_BYTES, uuid7 } from './ids/uuid7';
import { sharedRuntime } from './shared-state';

/** The three replaceable functions of `configureRequestIds`; each is optional. */
export interface RequestIdFunctions {
  /** Makes the id of a request that arrived without one (default: a UUID v4, or v7 with TRACEHOP_REQUEST_ID_FORMAT=uuid7). */
  readonly generate?: () => string;
  /** Whether an incoming id, already accepted by the built-in rule, is accepted; `false` treats it as absent. */
  readonly validate?: (id: string) => boolean;
  /** Rewrites an accepted incoming id, e.g. to lowercase it; the result must pass the built-in rule too. */
  readonly transform?: (id: string) => string;
}

export type RequestIdFormat = 'uuid4' | 'uuid7';

const BUILT_IN: Record<RequestIdFormat, () => string> = {
  uuid4: () => randomUUID(),
  uuid7: () => uuid7(Date.now(), getRandomValues(new Uint8Array(UUID7_RANDOM_BYTES))),
};

export class RequestIdPolicy {
  private readonly reported = new Set<string>();
  private custom: RequestIdFunctions;

  constructor(
    private readonly builtIn: () => string,
    functions: RequestIdFunctions = {},
  ) {
    this.custom = usableFunctions(functions, () => undefined);
  }

  /**
   * Replaces the app's functions as a whole (`configureRequestIds`): one
   * that is not a function is left out, with a warning, and the built-in
   * rule used instead. Each new function's failures are reported once again.
   */
  configure(functions: unknown): void {
    this.custom = usableFunctions(functions, name => this.warn(`${name} is not a function; using the built-in rule`));
    this.reported.clear();
  }

  /** A new request id: the app's `generate` if it gives an acceptable id, else the built-in format. */
  generate(): string {
    const generate = this.custom.generate;
    if (generate === undefined) return this.builtIn();
    const id = this.call('generate', () => generate());
    if (typeof id === 'string' && isAcceptableId(id)) return id;
    if (id !== FAILED) this.report('generate returned', 'generate returned something that is not an acceptable request id');
    return this.builtIn();
  }

  /**
   * A new request id and the trace id it maps to. A built-in id is a
   * canonical lowercase UUID, whose trace id is its hex digits: taken
   * directly, once per request, without checking the id again.
   */
  generateWithTraceId(): { readonly requestId: string; readonly traceId: string } {
    if (this.custom.generate === undefined) {
      const requestId = this.builtIn();
      return { requestId, traceId: canonicalUuidToTraceId(requestId) };
    }
    const requestId = this.generate();
    return { requestId, traceId: requestIdToTraceId(requestId) };
  }

  /** An incoming header value: `null` when the built-in rule or the app's `validate` rejects it, else the (transformed) id and chain. */
  parse(value: string | string[] | undefined): ParsedRequestId | null {
    const parsed = parseRequestId(value);
    if (parsed === null) return null;
    const { validate, transform } = this.custom;
    if (validate !== undefined) {
      const verdict = this.call('validate', () => validate(parsed.id));
      if (verdict === false) return null;
      if (verdict !== true && verdict !== FAILED) this.report('validate returned', 'validate returned something other than true or false');
    }
    if (transform === undefined) return parsed;
    const id = this.call('transform', () => transform(parsed.id));
    if (typeof id !== 'string' || !isAcceptableId(id)) {
      if (id !== FAILED) this.report('transform returned', 'transform returned something that is not an acceptable request id');
      return parsed;
    }
    return id === parsed.id ? parsed : { id, chain: [id, ...parsed.chain.slice(1)] };
  }

  private call<T>(name: string, fn: () => T): T | typeof FAILED {
    try {
      return fn();
    } catch (error) {
      // Reported once, saying the built-in rule was used for this id instead: the request keeps an acceptable id.
      this.report(`${name} threw`, `${name} threw ${error instanceof Error ? error.name : typeof error}`);
      return FAILED;
    }
  }

  private report(kind: string, what: string): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.warn(`${what}; using the built-in rule instead (reported once)`);
  }

  private warn(what: string): void {
    try {
      tracehopDiag.warn(`configureRequestIds: ${what}`);
    } catch {
      // Nothing is lost: a diag logger that throws has nowhere else to report to.
    }
  }
}

/** The functions of `functions` that are functions; `misfit` is told the name of each one that is set but is not. */
function usableFunctions(functions: unknown, misfit: (name: string) => void): RequestIdFunctions {
  const usable: { -readonly [K in keyof RequestIdFunctions]: RequestIdFunctions[K] } = {};
  for (const name of ['generate', 'validate', 'transform'] as const) {
    const fn = (functions as Record<string, unknown> | null | undefined)?.[name];
    if (typeof fn === 'function') usable[name] = fn as never;
    else if (fn !== undefined) misfit(name);
  }
  return usable;
}

const FAILED = Symbol('failed');

/** The built-in generator of TRACEHOP_REQUEST_ID_FORMAT. */
export function builtInRequestIds(format: RequestIdFormat): () => string {
  return BUILT_IN[format];
}

/**
 * Replaces how request ids are made, accepted and rewritten; each of the
 * three functions is optional, and one left out is the built-in. A later
 * call replaces the earlier one as a whole. A function that throws or
 * returns something unusable is reported once through diag and the
 * built-in rule used for that id; the built-in acceptability rule
 * (visible ASCII, no comma, 1 to 128 characters) always applies first.
 * It configures the running tracehop (the preload's), whichever copy of
 * tracehop the app imported it from; with tracehop off it does nothing.
 *
 *     configureRequestIds({
 *       validate: id => /^[0-9a-f-]{36}$/i.test(id),
 *       transform: id => id.toLowerCase(),
 *     });
 */
export function configureRequestIds(functions: RequestIdFunctions = {}): void {
  try {
    sharedRuntime()?.requestIds.configure(functions);
  } catch (error) {
    // A runtime of another shape (a copy that published something else) must not reach the app.
    reporter.warn('configureRequestIds failed', `configureRequestIds: the functions were not applied, request ids keep the previous rule: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : typeof error;
}
