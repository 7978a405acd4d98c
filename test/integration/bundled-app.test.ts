/**
 * Apps bundled with esbuild, built at test time into a temporary directory
 * where tracehop is installed. A bundled pino is out of reach of every module
 * hook; docs/module-systems.md gives two ways out, and both must give the
 * fields: the exported tracehopMixin, or pino marked external.
 */
import * as esbuild from 'esbuild';
import { readFileSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { looksLikeBundledPino } from '../../src/cli/doctor/diagnose';
import { requestIdToTraceId } from '../../src/core/ids/trace-id';
import { runDoctorCli } from '../support/doctor-cli';
import { REPO_ROOT, installTracehopInTempDir } from '../support/installed-package';
import type { InstalledPackage } from '../support/installed-package';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'module-systems');

let installed: InstalledPackage;
const running: Service[] = [];

beforeAll(() => {
  installed = installTracehopInTempDir('tracehop-bundle-');
  // For the bundle that leaves pino external: it is then required from node_modules at run time.
  symlinkSync(path.join(REPO_ROOT, 'node_modules', 'pino'), path.join(installed.dir, 'node_modules', 'pino'), 'dir');
});
afterAll(async () => {
  await Promise.all(running.map(service => service.stop()));
  installed?.remove();
});

/** Bundles a fixture for Node as CommonJS, the usual shape of a bundled service. */
async function bundle(source: string, outName: string, external: string[]): Promise<string> {
  const outfile = path.join(installed.dir, outName);
  await esbuild.build({
    entryPoints: [path.join(FIXTURES, source)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

async function start(name: string, script: string): Promise<Service> {
  const service = await startService(name, script, { OTEL_TRACES_EXPORTER: 'none' }, { cwd: installed.dir });
  running.push(service);
  return service;
}

async function requestWithId(service: Service, requestId: string) {
  const res = await fetch(`${service.url}/orders`, { headers: { 'X-Request-ID': requestId } });
  await res.text();
  expect(res.headers.get('x-request-id')).toBe(requestId);
  return service.waitForLine(line => line.msg === 'request received' && line.path === '/orders');
}

describe('an esbuild bundle', () => {
  test('with pino inside and tracehopMixin from the external tracehop package, records carry the fields', async () => {
    const script = await bundle('bundle-with-mixin.js', 'with-mixin.js', ['tracehop']);
    expect(looksLikeBundledPino(readFileSync(script, 'utf8'))).toBe(true);
    const line = await requestWithId(await start('bundle-with-mixin', script), 'bundle-mixin-1');
    expect(line).toMatchObject({
      request_id: 'bundle-mixin-1',
      trace_id: requestIdToTraceId('bundle-mixin-1'),
      request_chain: `bundle-mixin-1,${line.span_id}`,
    });
  });

  test('with pino marked external, the preload hooks it and records carry the fields without a mixin', async () => {
    const script = await bundle('bundle-plain.js', 'pino-external.js', ['pino']);
    expect(looksLikeBundledPino(readFileSync(script, 'utf8'))).toBe(false);
    const line = await requestWithId(await start('bundle-pino-external', script), 'bundle-external-1');
    expect(line).toMatchObject({ request_id: 'bundle-external-1', trace_id: requestIdToTraceId('bundle-external-1') });
  });

  test('with pino inside and no mixin, records carry no fields while requests are still traced', async () => {
    const script = await bundle('bundle-plain.js', 'pino-inside.js', []);
    const line = await requestWithId(await start('bundle-pino-inside', script), 'bundle-inside-1');
    expect(line).not.toHaveProperty('trace_id');
    expect(line).not.toHaveProperty('request_id');
  });

  test('tracehop doctor says a bundled pino without the mixin cannot be hooked, and accepts one with it', async () => {
    const plain = await bundle('bundle-plain.js', 'doctor-pino-inside.js', []);
    const withMixin = await bundle('bundle-with-mixin.js', 'doctor-with-mixin.js', ['tracehop']);
    const env = { OTEL_TRACES_EXPORTER: 'none' };
    const bad = await runDoctorCli(['--json', plain], { env, cwd: installed.dir });
    const good = await runDoctorCli(['--json', withMixin], { env, cwd: installed.dir });
    expect(bad.report.checks).toContainEqual(
      expect.objectContaining({ subject: 'pino', status: 'problem', detail: expect.stringContaining('bundled into the entry script') }),
    );
    expect(bad.code).toBe(1);
    expect(good.report.checks).toContainEqual(expect.objectContaining({ subject: 'pino', status: 'ok', detail: expect.stringContaining('tracehopMixin') }));
    expect(good.code).toBe(0);
  });
});
