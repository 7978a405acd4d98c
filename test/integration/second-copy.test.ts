/**
 * Two copies of tracehop in one process: the preload's (`-r register.js`
 * from this repository) and the app's own, a copy of the built package in
 * the app's node_modules. The public API of the app's copy reaches the
 * running tracehop through the runtime the preload published
 * (src/core/shared-state.ts): configureRequestIds set through it decides the
 * ids of the requests the preload's server span starts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requestIdToTraceId } from '../../src/core/ids/trace-id';
import { REPO_NODE_MODULES } from '../support/framework-apps';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const REPO = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'second-copy-app.js');

let dir: string;
let app: Service;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-second-copy-'));
  const copy = path.join(dir, 'node_modules', 'tracehop');
  fs.mkdirSync(copy, { recursive: true });
  fs.cpSync(path.join(REPO, 'dist'), path.join(copy, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(copy, 'package.json'));
  // Its dependencies from the repository's install; its own files are real copies, so Node loads them as a second module.
  fs.symlinkSync(REPO_NODE_MODULES, path.join(copy, 'node_modules'), 'dir');
  fs.copyFileSync(FIXTURE, path.join(dir, 'app.js'));
  app = await startService('second-copy', path.join(dir, 'app.js'), { OTEL_TRACES_EXPORTER: 'none' }, { cwd: dir });
}, 30_000);

afterAll(async () => {
  await app?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Seen {
  requestId: string;
  traceId: string;
}

async function ask(): Promise<{ header: string | null; apiPath: string; inRequest: Seen; asRequest: Seen }> {
  const response = await fetch(app.url);
  return { header: response.headers.get('x-request-id'), ...JSON.parse(await response.text()) };
}

test("the app requires its own copy of tracehop, not the preload's", async () => {
  const { apiPath } = await ask();
  expect(fs.realpathSync(apiPath).startsWith(fs.realpathSync(dir))).toBe(true);
});

test("configureRequestIds through the app's copy decides the ids of the preload's requests", async () => {
  const { header, inRequest } = await ask();
  expect(inRequest.requestId).toMatch(/^copy-\d+$/);
  expect(header).toBe(inRequest.requestId);
  expect(inRequest.traceId).toBe(requestIdToTraceId(inRequest.requestId));
});

test("runAsRequest through the app's copy runs as a request with an id from the same policy", async () => {
  const { asRequest } = await ask();
  expect(asRequest.requestId).toMatch(/^copy-\d+$/);
  expect(asRequest.traceId).toBe(requestIdToTraceId(asRequest.requestId));
});
