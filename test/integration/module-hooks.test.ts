/**
 * The module hooks on today's Node: registered in the app's own thread with
 * module.registerHooks, and silent. Node 26 deprecates module.register
 * (DEP0205); tracehop must not make an app print that, or any other warning,
 * whether it starts as CommonJS or as an ES module, under -r or --import.
 */
import * as path from 'node:path';
import { installTracehopInTempDir } from '../support/installed-package';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const installed = installTracehopInTempDir();
const running: Service[] = [];
afterAll(async () => {
  await Promise.all(running.map(service => service.stop()));
  installed.remove();
});

describe.each([
  ['a CommonJS app under -r', path.join(FIXTURES, 'server.js'), undefined, undefined],
  ['an ES module app under -r', path.join(FIXTURES, 'module-systems', 'esm-named-http.mjs'), undefined, undefined],
  ['an ES module app under --import', path.join(FIXTURES, 'module-systems', 'esm-named-http.mjs'), ['--import', 'tracehop/register'], installed.dir],
])(`%s on Node ${process.versions.node}`, (_title, script, nodeArgs, cwd) => {
  test("the import hooks run in the app's thread, and Node prints no warning", async () => {
    const service = await startService('silent-hooks', script, { OTEL_TRACES_EXPORTER: 'none', OTEL_LOG_LEVEL: 'debug' }, { nodeArgs, cwd });
    running.push(service);
    await service.waitForStderr(/ESM loader hook registered \(in-thread\)/);
    const res = await fetch(`${service.url}/`);
    await res.text();
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // The app has answered, so whatever it loads lazily for a request has loaded too; stopping flushes stderr.
    await service.stop();
    expect(service.stderr).not.toMatch(/Warning/);
    expect(service.stderr).not.toMatch(/DEP0205/);
  });
});
