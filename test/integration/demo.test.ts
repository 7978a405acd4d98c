/**
 * `npm run demo` with nothing else installed: the chain's correlated lines,
 * then the trace from the embedded `tracehop view`, with the logs under their spans.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const DEMO = path.join(__dirname, '..', '..', 'examples', 'lost-and-stolen', 'demo.js');
const KILL_AFTER_MS = 60_000;

test("the demo ends with the request's trace tree, each service's lines under their spans, and no escape codes through a pipe", async () => {
  const env: Record<string, string | undefined> = { ...process.env };
  // The demo exports to an endpoint of the user's when one is set; here it must use its own viewer.
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const child = spawn(process.execPath, [DEMO, '0dadb33f-ee15-470a-bfc8-5e35926793a5'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', chunk => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', chunk => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  const code = await new Promise(resolve => child.once('close', resolve));
  clearTimeout(timer);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const trace = stdout.slice(stdout.indexOf('The trace, as'));
  expect(trace).toMatch(/request 0dadb33f-ee15-470a-bfc8-5e35926793a5 {2}trace 0dadb33fee15470abfc85e35926793a5 {2}[\d.]+ ms, (9|13) spans\n/);
  expect(trace).not.toContain('\u001b');
  const rows = trace.split('\n');
  const at = (pattern: RegExp): number => rows.findIndex(row => pattern.test(row));
  expect(at(/^gateway POST \/cards\/lost_and_stolen\/ +server /)).toBeGreaterThan(0);
  const cardsDelete = at(/^│ {2}└─ cards DELETE \/cards\/1234567890123456\/ +server /);
  expect(cardsDelete).toBeGreaterThan(0);
  expect(rows[cardsDelete + 2]).toMatch(/· [\d:.]+ warn {2}card cancelled/);
  expect(at(/^[│ ] {2}└─ accounts POST \/accounts\/123456\/card\/ +server /)).toBeGreaterThan(cardsDelete);
  expect(trace).toMatch(/replacement card ordered/);
  // With redis-server installed (CI installs it), the letters worker's jobs hang under the gateway's send span.
  if (/13 spans/.test(trace)) {
    expect(at(/^ {3}└─ letters process letters +consumer /)).toBeGreaterThan(at(/^└─ gateway send letters +producer /));
    expect(trace).toMatch(/follow-up: activation check scheduled/);
  }
}, 90_000);
