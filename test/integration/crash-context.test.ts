/**
 * The request an uncaught exception was thrown synchronously out of is
 * active for the app's `uncaughtException` handler, and for nothing after
 * it: not for the later callbacks of the async resource that threw. With
 * AsyncLocalStorage built on async hooks (Node 22's default; Node 24 and
 * later with --no-async-context-frame), the request used to stay attached
 * to that resource, here a connection shared by every request.
 */
import * as path from 'node:path';
import { REGISTER, startService } from '../support/services';
import type { Service } from '../support/services';

const APP = path.join(__dirname, '..', 'fixtures', 'shared-connection-crash-app.js');
const running: Service[] = [];
afterEach(() => Promise.all(running.splice(0).map(service => service.stop())));

/** AsyncLocalStorage on async hooks: Node 22's default; from Node 24 on, by a flag. */
const ASYNC_HOOKS_STORAGE = Number(process.versions.node.split('.')[0]) >= 24 ? ['--no-async-context-frame'] : [];

test.each([
  ['AsyncLocalStorage on async hooks', ASYNC_HOOKS_STORAGE],
  ["Node's default AsyncLocalStorage", []],
])(
  '%s: the handler of an error thrown in a request runs in it, and later callbacks of the connection do not',
  async (_name, flags) => {
    const app = await startService('shared-connection-crash-app', APP, { OTEL_TRACES_EXPORTER: 'none' }, { nodeArgs: [...flags, '-r', REGISTER] });
    running.push(app);
    const get = (path: string, requestId: string) => fetch(`${app.url}${path}`, { headers: { 'x-request-id': requestId } }).then(response => response.text());
    expect(await get('/before', 'req-before')).toBe('ok');
    expect(await get('/boom', 'req-boom')).toBe('ok');
    const caught = await app.waitForLine(line => line.msg === 'caught by the app');
    expect(caught.request_id).toBe('req-boom');
    expect(await get('/after', 'req-after')).toBe('ok');
    const replies = await Promise.all(
      ['/before', '/boom', '/after'].map(reply => app.waitForLine(line => line.msg === 'client read a reply' && line.reply === reply)),
    );
    expect(replies.map(line => line.request_id)).toEqual([undefined, undefined, undefined]);
    expect(app.child.exitCode).toBeNull();
  },
  60_000,
);
