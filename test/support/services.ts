/**
 * Typed access to the example's process helpers (examples/lost-and-stolen/chain.js),
 * which the demo uses too: child processes under `node -r ./register.js`,
 * listening on ephemeral loopback ports, killed on every path.
 */
import type { ChildProcess } from 'node:child_process';

export type LogLine = Record<string, unknown> & { msg?: string; request_id?: string; request_chain?: string; trace_id?: string; span_id?: string };

export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  readonly stderr: string;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout line, already read or still to come, that matches. */
  waitForLine(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with all of stderr once it matches `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export interface Chain {
  readonly gateway: Service;
  readonly cards: Service;
  readonly accounts: Service;
  readonly services: Service[];
  stop(): Promise<unknown>;
}

export interface StartOptions {
  /** Node arguments before the script; default `-r <repo>/register.js`. */
  readonly nodeArgs?: string[];
  readonly cwd?: string;
}

export interface ChainOptions extends StartOptions {
  /** Each service's file in its directory: `server.js` (the default, CommonJS) or `server.mjs`. */
  readonly scriptName?: 'server.js' | 'server.mjs';
}

const helpers = require('../../examples/lost-and-stolen/chain.js') as {
  startService(name: string, script: string, env?: Record<string, string>, options?: StartOptions): Promise<Service>;
  startChain(env?: Record<string, string>, options?: ChainOptions): Promise<Chain>;
  REGISTER: string;
};

export const { startService, startChain, REGISTER } = helpers;
