/**
 * TRACEHOP_COMPILE_CACHE: Node's module compile cache, switched on by the
 * preload before tracehop loads. With it, the app runs traced as without it,
 * and Node writes its cache to the directory given; without it, tracehop
 * switches nothing on.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMPILE_CACHE_FLUSH_DELAY_MS } from '../../src/config/compile-cache';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const SERVER = path.join(__dirname, '..', 'fixtures', 'server.js');
const running: Service[] = [];
const directories: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map(service => service.stop()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function cacheDirectory(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'tracehop-compile-cache-'));
  directories.push(directory);
  return directory;
}

async function servedTraced(service: Service): Promise<void> {
  const res = await fetch(`${service.url}/`);
  expect(res.status).toBe(200);
  await res.text();
  expect(res.headers.get('x-request-id')).not.toBeNull();
}

test('TRACEHOP_COMPILE_CACHE=<directory>: the app is traced, says nothing, and Node writes its compile cache there', async () => {
  const directory = cacheDirectory();
  const service = await startService('compile-cache', SERVER, { OTEL_TRACES_EXPORTER: 'none', TRACEHOP_COMPILE_CACHE: directory });
  running.push(service);
  await servedTraced(service);
  await service.stop();
  expect(service.stderr.split('\n').filter(line => line.startsWith('tracehop'))).toEqual([]);
  // Node writes the cache as the process exits, in a folder of its own per Node version and build.
  expect(readdirSync(directory).length).toBeGreaterThan(0);
});

test.each<[string, Record<string, string>, string[]]>([
  [
    "TRACEHOP_COMPILE_CACHE=true: Node's own directory, node-compile-cache in the temporary directory",
    { TRACEHOP_COMPILE_CACHE: 'true' },
    ['node-compile-cache'],
  ],
  ['without TRACEHOP_COMPILE_CACHE: no compile cache is switched on', {}, []],
])('%s', async (_title, env, written) => {
  const directory = cacheDirectory();
  // NODE_COMPILE_CACHE left empty, so that only tracehop's call could switch the cache on, in Node's default place under TMPDIR.
  const service = await startService('compile-cache-default', SERVER, { OTEL_TRACES_EXPORTER: 'none', NODE_COMPILE_CACHE: '', TMPDIR: directory, ...env });
  running.push(service);
  await servedTraced(service);
  await service.stop();
  expect(readdirSync(directory)).toEqual(written);
});

/** The files Node has written under the cache directory (one folder per Node version and build, one file per module). */
function cachedFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => entry.name);
}

test('TRACEHOP_COMPILE_CACHE: the cache is written once start-up is over, so a service killed with SIGKILL still leaves it', async () => {
  const directory = cacheDirectory();
  const service = await startService('compile-cache-killed', SERVER, { OTEL_TRACES_EXPORTER: 'none', TRACEHOP_COMPILE_CACHE: directory });
  running.push(service);
  await servedTraced(service);
  // Node offers no event for the write: the directory is polled, up to twice the delay.
  const deadline = Date.now() + 2 * COMPILE_CACHE_FLUSH_DELAY_MS;
  while (cachedFiles(directory).length === 0 && Date.now() < deadline) await delay(100);
  service.child.kill('SIGKILL');
  await service.exited;
  expect(cachedFiles(directory).length).toBeGreaterThan(0);
}, 30_000);
