/**
 * The process hooks with a fake `process`: what tracehop does on SIGTERM and
 * SIGINT, when the event loop drains, at 'exit', and with the app's own
 * rejection handlers. The real process's behaviour (exit status, signals,
 * spans received) is tested end to end in test/integration/exit-paths,
 * shutdown and crashes.
 */
import { EventEmitter } from 'node:events';
import type { ExportPipeline } from '../../../src/export/export-pipeline';
import { ExportStats } from '../../../src/export/export-stats';
import { installCrashRecording, installExitHandlers } from '../../../src/runtime/process-hooks';
import type { ExitWork, ProcessHooksTarget } from '../../../src/runtime/process-hooks';

class FakeProcess extends EventEmitter {
  readonly pid = 4242;
  readonly kills: string[] = [];
  readonly exits: Array<number | undefined> = [];
  kill(pid: number, signal: string): boolean {
    expect(pid).toBe(this.pid);
    this.kills.push(signal);
    return true;
  }

  exit(code?: number): void {
    this.exits.push(code);
  }
}

/** A shutdown the test settles when it wants, and counts of what was asked. */
function fakeWork() {
  const settles: Array<() => void> = [];
  const calls = { shutdown: 0, forceFlush: 0, handOff: 0, endOpenSpans: 0 };
  const pipeline = {
    name: 'otlp',
    stats: new ExportStats(16),
    handOffAtExit: () => {
      calls.handOff++;
    },
  } as unknown as ExportPipeline;
  const work: ExitWork = {
    sdk: {
      shutdown: () => {
        calls.shutdown++;
        return new Promise<void>(resolve => {
          settles.push(resolve);
        });
      },
    },
    spanProcessors: [
      {
        forceFlush: async () => {
          calls.forceFlush++;
        },
      },
    ],
    exportPipelines: [pipeline],
    serverSpan: {
      endOpenSpans: () => {
        calls.endOpenSpans++;
      },
    },
  };
  return { work, calls, settle: () => settles.splice(0).forEach(settle => settle()) };
}

function setUp() {
  const proc = new FakeProcess();
  const { work, calls, settle } = fakeWork();
  installExitHandlers(proc as unknown as ProcessHooksTarget, work, { shutdownTimeoutMillis: 5000 });
  settleAll.push(settle);
  return { proc, calls, settle };
}

const turns = () => new Promise(resolve => setImmediate(resolve));
const settleAll: Array<() => void> = [];
// Every flush still waiting is settled, so that no timeout timer outlives its test.
afterEach(() => settleAll.splice(0).forEach(settle => settle()));

describe('signals', () => {
  test.each(['SIGTERM', 'SIGINT'])('%s with no handler of the app: flush, then the signal is raised again, as without tracehop', async signal => {
    const { proc, calls, settle } = setUp();
    proc.emit(signal, signal);
    expect(calls.shutdown).toBe(1);
    expect(proc.kills).toEqual([]);
    settle();
    await turns();
    expect(proc.kills).toEqual([signal]);
    expect(proc.listenerCount(signal)).toBe(0);
  });

  test('SIGTERM with a handler of the app: flush only, and the app decides how to end', async () => {
    const { proc, calls } = setUp();
    proc.on('SIGTERM', () => undefined);
    proc.emit('SIGTERM', 'SIGTERM');
    await turns();
    expect(calls.forceFlush).toBe(1);
    expect(calls.shutdown).toBe(0);
    expect(proc.kills).toEqual([]);
  });

  test('a second SIGINT while the first flush runs ends the process at once, after the synchronous hand-off', () => {
    const { proc, calls } = setUp();
    proc.emit('SIGINT', 'SIGINT');
    proc.emit('SIGINT', 'SIGINT');
    expect(calls.handOff).toBe(1);
    expect(proc.kills).toEqual(['SIGINT']);
    expect(proc.listenerCount('SIGINT')).toBe(0);
  });

  test.each(['SIGTERM', 'SIGINT'])('%s re-raised by the app after removing its handler: the hand-off runs and the signal goes through in that call', signal => {
    const { proc, calls } = setUp();
    const appHandler = () => undefined;
    proc.on(signal, appHandler);
    proc.emit(signal, signal);
    expect(calls.forceFlush).toBe(1);
    // NestJS's enableShutdownHooks, after its async clean-up:
    proc.removeListener(signal, appHandler);
    proc.kill(proc.pid, signal);
    expect(calls.endOpenSpans).toBe(1);
    expect(calls.handOff).toBe(1);
    expect(proc.kills).toEqual([signal]);
    // Nothing of ours is left to catch it: the default disposition ends the process by the signal.
    expect(proc.listenerCount(signal)).toBe(0);
    // Nor does the drained loop end it first with status 0, nor 'exit' hand off twice.
    proc.emit('beforeExit', 0);
    proc.emit('exit', 0);
    expect(calls.shutdown).toBe(0);
    expect(proc.exits).toEqual([]);
    expect(calls.handOff).toBe(1);
  });

  test('the app removing all listeners and re-raising once, by number or by default: the same', () => {
    for (const raise of [(p: FakeProcess) => p.kill(p.pid, 15 as unknown as string), (p: FakeProcess) => (p.kill as (pid: number) => boolean)(p.pid)]) {
      const { proc, calls } = setUp();
      proc.on('SIGTERM', () => undefined);
      proc.emit('SIGTERM', 'SIGTERM');
      proc.removeAllListeners('SIGTERM');
      raise(proc);
      // removeAllListeners took ours too: the signal kills at once, and 'exit' never comes for a death by signal, so the hand-off runs first.
      expect(calls.handOff).toBe(1);
      expect(proc.kills).toHaveLength(1);
    }
  });

  test('a signal raised at itself by an app with no handler ends the process in that call', () => {
    const { proc, calls } = setUp();
    proc.kill(proc.pid, 'SIGTERM');
    expect(calls.handOff).toBe(1);
    expect(proc.kills).toEqual(['SIGTERM']);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
  });

  test('kill of another process, of another signal, or while the app still listens, goes through untouched', () => {
    const { proc, calls } = setUp();
    proc.on('SIGTERM', () => undefined);
    proc.kill(proc.pid, 'SIGTERM');
    proc.kill(proc.pid, 'SIGUSR2');
    expect(calls.handOff).toBe(0);
    expect(proc.listenerCount('SIGTERM')).toBe(2);
    expect(proc.kills).toEqual(['SIGTERM', 'SIGUSR2']);
  });

  test("a second SIGTERM during the app's clean-up, once its `once` handler is gone, ends the process at once as without tracehop", () => {
    const { proc, calls } = setUp();
    proc.once('SIGTERM', () => undefined);
    proc.emit('SIGTERM', 'SIGTERM');
    expect(proc.kills).toEqual([]);
    proc.emit('SIGTERM', 'SIGTERM');
    expect(calls.handOff).toBe(1);
    expect(proc.kills).toEqual(['SIGTERM']);
  });

  test("process.exit(n) from the app's handler: open spans are ended and what is unsent handed off, once", () => {
    const { proc, calls } = setUp();
    proc.on('SIGTERM', () => proc.emit('exit', 3));
    proc.emit('SIGTERM', 'SIGTERM');
    expect(calls.endOpenSpans).toBe(1);
    expect(calls.handOff).toBe(1);
    expect(proc.kills).toEqual([]);
  });

  test("the app handles a signal and lets its loop drain: the drained loop flushes and ends with the app's exit code", async () => {
    const { proc, calls, settle } = setUp();
    proc.on('SIGTERM', () => undefined);
    proc.emit('SIGTERM', 'SIGTERM');
    proc.emit('beforeExit', 0);
    expect(calls.shutdown).toBe(1);
    settle();
    await turns();
    expect(proc.exits).toEqual([undefined]);
  });

  test('while our flush on an unhandled signal runs, a drained loop does not end the process first', async () => {
    const { proc, calls, settle } = setUp();
    proc.emit('SIGTERM', 'SIGTERM');
    proc.emit('beforeExit', 0);
    settle();
    await turns();
    expect(calls.shutdown).toBe(2);
    expect(proc.exits).toEqual([]);
    expect(proc.kills).toEqual(['SIGTERM']);
  });

  test("signal-exit's listener, which defers to any other, does not count as the app's handler", async () => {
    const { proc, settle } = setUp();
    (proc as unknown as { __signal_exit_emitter__: unknown }).__signal_exit_emitter__ = new EventEmitter();
    proc.on('SIGTERM', () => undefined);
    proc.emit('SIGTERM', 'SIGTERM');
    settle();
    await turns();
    expect(proc.kills).toEqual(['SIGTERM']);
  });
});

describe('the event loop drains, and the process exits', () => {
  test('a drained loop flushes once, then the process ends with its own exit code', async () => {
    const { proc, calls, settle } = setUp();
    proc.emit('beforeExit', 0);
    proc.emit('beforeExit', 0);
    expect(calls.shutdown).toBe(1);
    settle();
    await turns();
    expect(proc.exits).toEqual([undefined]);
  });

  test('an app with beforeExit work of its own keeps the process', async () => {
    const { proc, settle } = setUp();
    proc.on('beforeExit', () => undefined);
    proc.emit('beforeExit', 0);
    settle();
    await turns();
    expect(proc.exits).toEqual([]);
  });

  test('at exit, what is unsent is handed off, once per pipeline', () => {
    const { proc, calls } = setUp();
    proc.emit('exit', 0);
    expect(calls.handOff).toBe(1);
  });
});

describe('crash recording', () => {
  const config = {
    logFields: {
      traceId: 'trace_id',
      spanId: 'span_id',
      traceFlags: 'trace_flags',
      requestId: 'request_id',
      requestChain: 'request_chain',
      jobId: 'job_id',
      parentJobId: 'parent_job_id',
    },
  };
  const setUpCrashes = () => {
    const proc = new FakeProcess();
    const lines: string[] = [];
    installCrashRecording(proc as unknown as ProcessHooksTarget, config as never, line => lines.push(line));
    return { proc, lines };
  };

  test('tracehop listens for unhandled rejections only while the app does: alone, it would stop Node from crashing', () => {
    const { proc } = setUpCrashes();
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
    const appListener = () => undefined;
    proc.on('unhandledRejection', appListener);
    expect(proc.listenerCount('unhandledRejection')).toBe(2);
    proc.removeListener('unhandledRejection', appListener);
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
  });

  test('an uncaught exception is written as one fatal line, once, and nothing is thrown', () => {
    const { proc, lines } = setUpCrashes();
    const error = new Error('boom');
    expect(() => proc.emit('uncaughtExceptionMonitor', error, 'uncaughtException')).not.toThrow();
    expect(() => proc.emit('uncaughtExceptionMonitor', error, 'uncaughtException')).not.toThrow();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 60, msg: expect.stringContaining('boom') });
  });

  test('a rejection about to crash the process (no handler of the app) is written as one fatal line', () => {
    const { proc, lines } = setUpCrashes();
    proc.emit('uncaughtExceptionMonitor', new RangeError('rejected'), 'unhandledRejection');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 60, msg: 'unhandled rejection: rejected' });
  });

  test("an exception the app's uncaughtException handler takes is no crash: no line", () => {
    const { proc, lines } = setUpCrashes();
    proc.on('uncaughtException', () => undefined);
    proc.emit('uncaughtExceptionMonitor', new Error('survived'), 'uncaughtException');
    proc.emit('uncaughtExceptionMonitor', new Error('survived rejection'), 'unhandledRejection');
    expect(lines).toEqual([]);
  });

  test('an exception taken by the capture callback (setUncaughtExceptionCaptureCallback, domains) is no crash: no line', () => {
    const { proc, lines } = setUpCrashes();
    (proc as unknown as { hasUncaughtExceptionCaptureCallback: () => boolean }).hasUncaughtExceptionCaptureCallback = () => true;
    proc.emit('uncaughtExceptionMonitor', new Error('captured'), 'uncaughtException');
    expect(lines).toEqual([]);
  });

  test("a rejection the app's own unhandledRejection listener takes is no crash: no line", () => {
    const { proc, lines } = setUpCrashes();
    proc.on('unhandledRejection', () => undefined);
    proc.emit('unhandledRejection', new Error('taken'), Promise.resolve());
    expect(lines).toEqual([]);
  });
});
