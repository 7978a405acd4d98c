/**
 * `import { request, get } from 'node:http'` (and https) in an ES-module app
 * whose CommonJS dependency required http first, as Express does: the named
 * imports still make client spans and send our headers, under `-r` and under
 * `--import`.
 */
import * as path from 'node:path';
import { installTracehopInTempDir } from '../support/installed-package';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const APP = path.join(__dirname, '..', 'fixtures', 'module-systems', 'esm-named-http.mjs');
const installed = installTracehopInTempDir();
const running: Service[] = [];
afterAll(async () => {
  await Promise.all(running.map(service => service.stop()));
  installed.remove();
});

describe.each([
  ['-r', { nodeArgs: undefined, cwd: undefined }],
  ['--import', { nodeArgs: ['--import', 'tracehop/register'], cwd: installed.dir }],
])('named http imports after CommonJS loaded http, under %s', (_flag, options) => {
  let service: Service;
  beforeAll(async () => {
    service = await startService('esm-named-http', APP, { OTEL_TRACES_EXPORTER: 'none' }, options);
    running.push(service);
  });

  test('request and get from node:http send traceparent and X-Request-ID in the caller trace', async () => {
    const res = await fetch(`${service.url}/call`);
    expect(await res.text()).toBe('done');
    const requestId = res.headers.get('x-request-id');
    const caller = await service.waitForLine(line => line.msg === 'request received' && line.request_id === requestId);
    for (const via of ['get', 'request']) {
      const leaf = await service.waitForLine(line => line.msg === 'leaf' && line.path === `/leaf?via=${via}` && line.request_id === requestId);
      expect(leaf.requestId).toBe(requestId);
      expect(String(leaf.traceparent)).toMatch(new RegExp(`^00-${caller.trace_id}-[0-9a-f]{16}-01$`));
      // The leaf's parent is a client span, not the caller's server span.
      expect(String(leaf.traceparent).split('-')[2]).not.toBe(caller.span_id);
    }
    expect(caller.httpsNamedIsPatched).toBe(true);
  });
});
