/**
 * The app's side of `tracehop doctor`: one JSON object per line on the pipe
 * the doctor opened (TRACEHOP_DOCTOR_FD), never on stdout or stderr, so the
 * app's own output is untouched.
 */
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { fstatSync, writeSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tracehopDiag } from '../diag';
import type { SentrySeen } from '../sentry';

export type { SentrySeen };
import type { ModuleLoad } from './hook-observer';
import type { StartupFacts } from './startup-facts';

/** What the app tells the doctor, in order: started, then loads and listening as they happen. */
export type DoctorMessage =
  // Header names only, in the facts: values (often credentials) never go down the pipe.
  | { readonly type: 'started'; readonly facts: StartupFacts }
  | { readonly type: 'load'; readonly load: ModuleLoad }
  | {
      readonly type: 'listening';
      readonly address: string;
      readonly entryLoadedAs: 'commonjs' | 'esm';
      readonly server?: ServerSeen;
      /** The app's Sentry as it was when the app listened; absent when no copy was hooked. */
      readonly sentry?: SentrySeen;
    };

/**
 * Published by Node when a net (so also http) server starts listening, on
 * the Node versions that have this built-in channel (20.20 has it). Where
 * nothing arrives, the doctor stops the app after its time limit instead.
 */
const LISTEN_CHANNEL = 'tracing:net.server.listen:asyncEnd';

export interface DoctorChannel {
  send(message: DoctorMessage): void;
}

/** Opens the channel on `fd`, or returns undefined (with one warning) when it is not a pipe. */
export function openDoctorChannel(fd: number): DoctorChannel | undefined {
  try {
    // BigInt stats, though only the file type is read: a plain fstatSync
    // leaves this pipe's type in the stat buffer that Node 22's
    // fs.realpathSync reads, stale, for path parts it has already seen, and
    // it then stops following symbolic links, so `require` resolves a linked
    // package (all of pnpm's) to its link, where the package's own
    // dependencies are not found (nodejs/node#51142; Node 24 has the fix).
    // The BigInt form fills a buffer of its own.
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isFIFO() && !stat.isSocket()) throw new Error('not a pipe');
  } catch (error) {
    // Once, at start-up: the app runs as without the doctor, and the warning says the pipe was ignored.
    tracehopDiag.warn(`TRACEHOP_DOCTOR_FD=${fd} is not a pipe from tracehop doctor (${error instanceof Error ? error.message : String(error)}); ignored`);
    return undefined;
  }
  let open = true;
  return {
    send(message) {
      if (!open) return;
      try {
        writeSync(fd, `${JSON.stringify(message)}\n`);
      } catch {
        // The doctor has gone (EPIPE): the app carries on without it.
        open = false;
      }
    },
  };
}

/** The server that listened first, as the doctor names it: its kind, and whether it takes upgrades (a WebSocket library listens for them). */
export interface ServerSeen {
  readonly kind: 'http' | 'https' | 'http2' | 'http2-secure' | 'other';
  readonly upgrades: boolean;
}

/** Read only: the server's class and its `upgrade` listeners. */
export function serverSeen(server: unknown): ServerSeen | undefined {
  if (server === null || typeof server !== 'object') return undefined;
  const name = (server as { constructor?: { name?: unknown } }).constructor?.name;
  const listeners = (server as { listenerCount?: (event: string) => number }).listenerCount;
  const upgrades = typeof listeners === 'function' && listeners.call(server, 'upgrade') > 0;
  // Read from the object, loading nothing (loading https here would count as the app loading it):
  // http and https servers carry Node's HTTP options (headersTimeout), and an https one is a tls.Server (setSecureContext).
  const httpOptions = 'headersTimeout' in server;
  const tls = typeof (server as { setSecureContext?: unknown }).setSecureContext === 'function';
  const kind: ServerSeen['kind'] =
    name === 'Http2SecureServer' ? 'http2-secure' : name === 'Http2Server' ? 'http2' : httpOptions ? (tls ? 'https' : 'http') : 'other';
  return { kind, upgrades };
}

/** Tells the doctor when the app first listens, how its entry point was loaded, and what `sentry` says of the app's Sentry then. */
export function reportListening(channel: DoctorChannel, sentry: () => SentrySeen | undefined = () => undefined): void {
  let told = false;
  const onListen = (message: unknown) => {
    if (told) return;
    told = true;
    diagnosticsChannel.unsubscribe(LISTEN_CHANNEL, onListen);
    // Node rethrows a subscriber's error as an uncaught exception: nothing may escape into the app.
    try {
      const address = (message as { server?: { address?: () => AddressInfo | string | null } } | null)?.server?.address?.();
      channel.send({
        type: 'listening',
        address: typeof address === 'string' ? address : address ? `${address.address}:${address.port}` : 'unknown',
        entryLoadedAs: entryIsInRequireCache() ? 'commonjs' : 'esm',
        server: serverSeen((message as { server?: unknown } | null)?.server),
        sentry: sentry(),
      });
    } catch {
      // The doctor then stops the app at its time limit instead.
    }
  };
  diagnosticsChannel.subscribe(LISTEN_CHANNEL, onListen);
}

/**
 * CommonJS modules, the entry point included, are in the require cache; ES
 * modules never are. (`require.main` cannot tell: a module's `require` copies
 * it when the module loads, and this one loads before the entry point.)
 */
function entryIsInRequireCache(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return require.cache[require.resolve(entry)] !== undefined;
  } catch {
    // An entry that cannot be resolved is not in the cache: the answer, nothing lost.
    return false;
  }
}
