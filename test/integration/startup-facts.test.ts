/**
 * With OTEL_LOG_LEVEL=debug, the facts `tracehop doctor` reports go to diag
 * at start-up, and each load of an instrumented module as it happens: for a
 * CommonJS app and for an ES module app.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installTracehopInTempDir } from '../support/installed-package';
import { startService } from '../support/services';
import type { Service, StartOptions } from '../support/services';

const SERVER = path.join(__dirname, '..', 'fixtures', 'server.js');
const TYPELESS_ESM = path.join(__dirname, '..', 'fixtures', 'module-systems', 'typeless-esm', 'server.js');
const CARDS_ESM = path.join(__dirname, '..', '..', 'examples', 'lost-and-stolen', 'cards', 'server.mjs');
const running: Service[] = [];
// `-r tracehop/register` resolves from the working directory, as for an installed package.
const installed = installTracehopInTempDir();

afterAll(async () => {
  await Promise.all(running.map(service => service.stop()));
  installed.remove();
});

async function startWithDebug(name: string, script: string, options: StartOptions = {}, env: Record<string, string> = {}): Promise<Service> {
  const service = await startService(name, script, { OTEL_LOG_LEVEL: 'debug', OTEL_TRACES_EXPORTER: 'none', ...env }, options);
  running.push(service);
  return service;
}

describe('start-up facts in diag at OTEL_LOG_LEVEL=debug', () => {
  test("a CommonJS app: entry point, the hooks in the app's thread, what each instrumentation hooks, and pino hooked via require", async () => {
    const service = await startWithDebug('debug-commonjs', SERVER);
    const stderr = await service.waitForStderr(/pino \d+\.\d+\.\d+ loaded via require: hooked/);
    expect(stderr).toMatch(/^tracehop debug: entry point .*server\.js: CommonJS \(no "type": "module" in .*\)$/m);
    expect(stderr).toMatch(
      /^tracehop debug: ESM loader hook registered \(in-thread\) for https, http, router, express, @koa\/router, @hapi\/hapi, hono, pino, @sentry\/core, bullmq, @opentelemetry\/api$/m,
    );
    expect(stderr).toMatch(/^tracehop debug: tracehop-api-copies [\d.]+ hooks @opentelemetry\/api$/m);
    // tracehop's own copy of the API is always loaded first: no hook was missed there.
    expect(stderr).not.toMatch(/loaded before tracehop started.*@opentelemetry\/api/);
    expect(stderr).toMatch(/^tracehop debug: @opentelemetry\/instrumentation-http [\d.]+ hooks https, http$/m);
    expect(stderr).toMatch(/^tracehop debug: @opentelemetry\/instrumentation-undici [\d.]+ listens on diagnostics channels \(fetch subscribed\)$/m);
    expect(stderr).toMatch(/^tracehop debug: tracehop-pino-hook [\d.]+ hooks pino$/m);
    expect(stderr).toMatch(/^tracehop debug: http loaded via require: hooked$/m);
  });

  test('a CommonJS app with TRACEHOP_ESM_HOOK=false: no hook, and require still hooks pino', async () => {
    const service = await startWithDebug('debug-commonjs-unhooked', SERVER, {}, { TRACEHOP_ESM_HOOK: 'false' });
    const stderr = await service.waitForStderr(/pino \d+\.\d+\.\d+ loaded via require: hooked/);
    expect(stderr).toMatch(/^tracehop debug: ESM loader hook off: TRACEHOP_ESM_HOOK=false$/m);
  });

  test('an ES module in a .js file under a package.json with no "type": the hook is registered, pino and http hooked via import', async () => {
    const service = await startWithDebug('debug-typeless-esm', TYPELESS_ESM);
    const stderr = await service.waitForStderr(/pino \d+\.\d+\.\d+ loaded via import: hooked/);
    expect(stderr).toMatch(/^tracehop debug: ESM loader hook registered \(in-thread\) for https, http, /m);
    expect(stderr).toMatch(/^tracehop debug: http loaded via import: hooked$/m);
    const res = await fetch(`${service.url}/typeless`);
    expect(await res.text()).toBe('ok');
    const line = await service.waitForLine(entry => entry.msg === 'request received' && entry.path === '/typeless');
    expect(line.request_id).toBe(res.headers.get('x-request-id'));
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  test('the same app started as its directory (`node typeless-esm`): the file Node resolves is the one judged', async () => {
    const service = await startWithDebug('debug-typeless-esm-dir', path.dirname(TYPELESS_ESM));
    const stderr = await service.waitForStderr(/pino \d+\.\d+\.\d+ loaded via import: hooked/);
    expect(stderr).toMatch(/^tracehop debug: entry point .*typeless-esm: ES module \(ES module syntax, no "type" in .*typeless-esm\/package\.json\)$/m);
  });

  test('started through a symbolic link from a CommonJS package (a bin in node_modules/.bin): the linked file is judged', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-bin-'));
    try {
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'caller', type: 'commonjs' }));
      fs.symlinkSync(TYPELESS_ESM, path.join(dir, 'serve.js'));
      const service = await startWithDebug('debug-typeless-esm-link', path.join(dir, 'serve.js'));
      const stderr = await service.waitForStderr(/pino \d+\.\d+\.\d+ loaded via import: hooked/);
      expect(stderr).toMatch(/^tracehop debug: ESM loader hook registered \(in-thread\) for /m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an ES module app under -r tracehop/register: pino and http hooked via import', async () => {
    const service = await startWithDebug('debug-esm', CARDS_ESM, { nodeArgs: ['-r', 'tracehop/register'], cwd: installed.dir });
    const stderr = await service.waitForStderr(/pino \d+\.\d+\.\d+ loaded via import: hooked/);
    expect(stderr).toMatch(/^tracehop debug: entry point .*server\.mjs: ES module \(\.mjs extension\)$/m);
    expect(stderr).toMatch(/^tracehop debug: http loaded via import: hooked$/m);
  });
});
