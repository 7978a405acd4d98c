/**
 * The automatic pino hook: an instrumentation that wraps the `pino` factory
 * so that every logger it makes, and every child of those loggers, carries
 * tracehop's fields. Where pino calls `hooks.streamWrite` (known from its
 * version, pino-line.ts) the fields are spliced into each finished line
 * (pino-line.ts), which is the cheap way; otherwise, through a mixin. A user's own `mixin` and
 * `streamWrite` hook keep working, and their fields win over ours.
 */
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { tracehopDiag } from '../diag';
import { ModuleHookInstrumentation, Replacements } from '../core/module-hook';
import type { ModuleHook } from '../core/module-hook';
import { isModuleNamespace } from '../core/module-namespace';
import { PINO_PATCHED_KEY as PATCHED } from '../core/shared-state';
import { tracehopMixin } from './mixin';
import type { LogFields } from './log-fields';
import { callsStreamWrite, logFieldsSplice, withSplice } from './pino-line';
import type { LogLineSettings, StreamWrite } from './pino-line';

/** The pino majors whose `mixin` option behaves as this hook expects. */
export const SUPPORTED_PINO_VERSIONS = ['>=7 <11'];

type Mixin = (mergeObject: object, level: number, logger: unknown) => object;
type PinoFactory = ((...args: unknown[]) => unknown) & Record<string | symbol, unknown>;
type PinoOptions = { mixin?: unknown; hooks?: { streamWrite?: unknown } };

/**
 * `disable()` puts back pino's own factory in an ES module namespace. A
 * CommonJS `require('pino')` keeps getting the wrapper (require-in-the-middle
 * caches the exports a patch returns), so the wrapper passes every call
 * through to pino untouched once the hook is restored. Loggers made while it
 * was in force keep tracehop's fields: their options are pino's own now.
 */
export class PinoHookInstrumentation extends ModuleHookInstrumentation {
  constructor(
    private readonly settings: LogLineSettings,
    config: InstrumentationConfig = {},
  ) {
    super('tracehop-pino-hook', config);
  }

  protected hooks(): ModuleHook[] {
    return [
      // `this.settings` is read as pino loads: hooks() runs in the base constructor, before the field is set.
      {
        module: 'pino',
        versions: SUPPORTED_PINO_VERSIONS,
        patch: (moduleExports, replacements) => patchPinoModule(moduleExports, this.settings, replacements),
      },
    ];
  }
}

/**
 * Patches the module's exports. CommonJS gives the factory itself, with its
 * helpers as properties (`pino.destination`, `pino.pino`, `pino.default`);
 * an ES module namespace gives `{ default, pino, ... }`. What a namespace
 * had replaced is noted in `replacements`, to be put back; the wrapper
 * passes calls through once it is.
 */
export function patchPinoModule(moduleExports: unknown, settings: LogLineSettings, replacements = new Replacements()): unknown {
  const isNamespace = isModuleNamespace(moduleExports);
  const original = (isNamespace ? (moduleExports as { default: unknown }).default : moduleExports) as PinoFactory;
  if (typeof original !== 'function') {
    tracehopDiag.warn('pino hook: the pino module did not export a function; pino records will not carry trace fields');
    return moduleExports;
  }
  if (original[PATCHED]) return moduleExports;
  replacements.begin();
  const patched = wrapFactory(original, fieldAdders(settings), replacements);
  if (isNamespace) {
    const namespace = moduleExports as Record<string, unknown>;
    replacements.replace(namespace, 'default', patched);
    if ('pino' in namespace) replacements.replace(namespace, 'pino', patched);
    return namespace;
  }
  return patched;
}

/** Whether these `pino` exports (CommonJS, or an ES module namespace) are the hooked factory. */
export function isHookedPino(moduleExports: unknown): boolean {
  const exported = moduleExports as { default?: unknown; [PATCHED]?: unknown } | null | undefined;
  const isNamespace = isModuleNamespace(moduleExports);
  const factory = (isNamespace ? exported?.default : exported) as { [PATCHED]?: unknown } | null | undefined;
  const marker = factory?.[PATCHED];
  // The wrapper's ledger: a wrapper restored by disable() passes calls through and is hooked no more.
  if (typeof marker === 'object' && marker !== null) return (marker as { inForce?: unknown }).inForce === true;
  // A wrapper made by an earlier tracehop copy marks itself `true`.
  return marker === true;
}

/** How our fields are added to a logger's options: the splice, and the mixin where pino has no `streamWrite` hook. */
export interface FieldAdders {
  readonly splice: StreamWrite;
  readonly mixin: () => LogFields;
}

export function fieldAdders(settings: LogLineSettings): FieldAdders {
  return { splice: logFieldsSplice(settings), mixin: settings.fields.read };
}

function wrapFactory(original: PinoFactory, adders: FieldAdders, replacements: Replacements): PinoFactory {
  const splice = callsStreamWrite(original.version);
  const patched = function pino(this: unknown, ...args: unknown[]) {
    if (!replacements.inForce) return original.apply(this, args);
    return original.apply(this, withTracehopFields(args, splice, adders));
  } as PinoFactory;
  Object.assign(patched, original);
  patched.pino = patched;
  patched.default = patched;
  // Marks the wrapper (a second patch of it changes nothing) with its ledger, which says whether it is in force.
  patched[PATCHED] = replacements;
  return patched;
}

/**
 * The factory's arguments with tracehop's fields added: as a `streamWrite`
 * hook when `splice`, else as a mixin. pino's signatures: `pino()`,
 * `pino(options)`, `pino(destination)`, `pino(options, destination)`. A
 * destination is a stream (it has `write`) or a file path string. A logger
 * built with `tracehopMixin` already has the fields and is left alone.
 */
export function withTracehopFields(args: unknown[], splice: boolean, adders: FieldAdders): unknown[] {
  const add = splice ? (options: PinoOptions) => addStreamWrite(options, adders.splice) : (options: PinoOptions) => addMixin(options, adders.mixin);
  const first = args[0];
  const isDestination = typeof first === 'string' || typeof (first as { write?: unknown } | null)?.write === 'function';
  if (first === undefined || first === null) return [add({}), ...args.slice(1)];
  if (isDestination) return [add({}), ...args];
  if (typeof first !== 'object') return args;
  const options = first as PinoOptions;
  if (options.mixin === tracehopMixin) return args;
  return [add(options), ...args.slice(1)];
}

function addStreamWrite(options: PinoOptions, splice: StreamWrite): PinoOptions {
  return { ...options, hooks: { ...options.hooks, streamWrite: withSplice(splice, options.hooks?.streamWrite) } };
}

function addMixin(options: PinoOptions, ours: () => LogFields): PinoOptions {
  const userMixin = typeof options.mixin === 'function' ? (options.mixin as Mixin) : undefined;
  return { ...options, mixin: userMixin === undefined ? ours : combine(ours, userMixin) };
}

/** Our fields first, the user's mixin's fields over them. */
function combine(ours: () => LogFields, userMixin: Mixin): Mixin {
  return function mixin(mergeObject, level, logger) {
    const fields: LogFields = ours();
    const theirs = userMixin(mergeObject, level, logger);
    return theirs && typeof theirs === 'object' ? Object.assign(fields, theirs) : fields;
  };
}
