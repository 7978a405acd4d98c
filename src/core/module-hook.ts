/**
 * The one shape of tracehop's own module hooks: an instrumentation made of
 * module hooks (a name, its versions, a patch), each patch replacing
 * functions, prototype methods or exports through a `Replacements` ledger,
 * so that `disable()` (and the machinery's `unpatch`) puts back every
 * original the patch replaced.
 *
 * Why a ledger of our own, not shimmer's `_wrap`/`_unwrap`: a hook replaces
 * more than methods (an exported factory, an exported class, a marker
 * symbol), and the instrumentation machinery remembers only the exports of
 * the last load of a module, so its `unpatch` would miss a module loaded
 * twice (`require` and `import` give separate copies, each patched). The
 * ledger remembers every replacement of every load.
 *
 * What cannot be put back: a replacement returned as the module's exports
 * (require-in-the-middle caches it and hands it to every later `require`),
 * and what objects the app already made were given (a server's extension, a
 * route's handler). Such a replacement reads `inForce` and passes calls
 * through to the original once restored.
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { reporter } from '../diag';

interface Replaced {
  readonly target: object;
  readonly key: PropertyKey;
  readonly original: unknown;
  readonly replacement: unknown;
  /** Whether the property was the target's own: if not (a marker, a method inherited), restoring deletes ours. */
  readonly own: boolean;
}

/** What one module hook replaced, to put back. */
export class Replacements {
  private entries: Replaced[] = [];
  private patched = false;

  /** Whether the hook is in force: from its patch until `restore()`. */
  get inForce(): boolean {
    return this.patched;
  }

  /** Called as the hook patches a load of its module. */
  begin(): void {
    this.patched = true;
  }

  /**
   * Puts `replacement` at `target[key]`, keeping what was there to put back.
   * Throws, as an assignment in strict mode would, where the property cannot
   * be set: the hook's own catch says what that loses.
   */
  replace(target: object, key: PropertyKey, replacement: unknown): void {
    const own = Object.prototype.hasOwnProperty.call(target, key);
    const original: unknown = Reflect.get(target, key);
    if (!Reflect.set(target, key, replacement)) throw new TypeError(`cannot set ${String(key)}`);
    this.entries.push({ target, key, original, replacement, own });
    this.patched = true;
  }

  /**
   * Puts back every original, the latest replacement first (a key replaced
   * twice ends with its first original). A replacement someone else has
   * since replaced in turn (another instrumentation's wrapper over ours) is
   * left as it is: putting our original back would remove theirs.
   */
  restore(): void {
    this.patched = false;
    const entries = this.entries;
    this.entries = [];
    for (const entry of entries.reverse()) {
      try {
        if (Reflect.get(entry.target, entry.key) !== entry.replacement) {
          reporter.warn('module hook restore', `disable: ${String(entry.key)} was replaced again after tracehop's hook; left as it is`);
          continue;
        }
        const done = entry.own ? Reflect.set(entry.target, entry.key, entry.original) : Reflect.deleteProperty(entry.target, entry.key);
        if (!done) throw new TypeError('the property is not writable');
      } catch (error) {
        // A frozen or non-writable target: what is lost is the restore of this one property, ours stays.
        reporter.warn('module hook restore', `disable: could not put back ${String(entry.key)} (${String(error)}); tracehop's stays`);
      }
    }
  }
}

/** One module a hook patches. */
export interface ModuleHook {
  /** The module's name, as the app requires or imports it. */
  readonly module: string;
  /** Its versions the patch understands (semver ranges). */
  readonly versions: readonly string[];
  /**
   * Patches one load of the module (CommonJS exports, or an ES module
   * namespace), replacing only through `replacements`; returns the exports
   * the app is to get.
   */
  patch(moduleExports: unknown, replacements: Replacements, version: string | undefined): unknown;
}

/** Each instrumentation's ledgers by module, kept off the instance: `init()` runs in the base constructor, before fields exist. */
const ledgers = new WeakMap<object, Map<string, Replacements>>();

function ledgerOf(owner: object, module: string): Replacements {
  let byModule = ledgers.get(owner);
  if (byModule === undefined) ledgers.set(owner, (byModule = new Map<string, Replacements>()));
  let ledger = byModule.get(module);
  if (ledger === undefined) byModule.set(module, (ledger = new Replacements()));
  return ledger;
}

/**
 * The base of tracehop's module hooks. A subclass names itself and lists its
 * hooks; `disable()` restores everything they replaced.
 */
export abstract class ModuleHookInstrumentation extends InstrumentationBase<InstrumentationConfig> {
  constructor(name: string, config: InstrumentationConfig = {}) {
    super(name, '1.0.0', config);
  }

  /** Called from the base constructor (through `init()`): read no field of the subclass here, only in the patches. */
  protected abstract hooks(): ModuleHook[];

  protected init() {
    return this.hooks().map(hook => {
      const ledger = ledgerOf(this, hook.module);
      return new InstrumentationNodeModuleDefinition(
        hook.module,
        [...hook.versions],
        (moduleExports: unknown, version?: string) => {
          ledger.begin();
          return hook.patch(moduleExports, ledger, version);
        },
        (moduleExports: unknown) => {
          ledger.restore();
          return moduleExports;
        },
      );
    });
  }

  /** Restores every load's replacements, not only those of the last load the machinery remembers. */
  override disable(): void {
    super.disable();
    for (const ledger of ledgers.get(this)?.values() ?? []) ledger.restore();
  }
}
