/**
 * `tracehop doctor` says which framework's routes name the server spans:
 * Express and Hono when their load was hooked, Fastify when it loaded with the
 * `fastify.initialization` channel subscribed, and a note when neither loaded.
 */
import * as path from 'node:path';
import type { Check } from '../../src/cli/doctor/diagnose';
import { runDoctorCli } from '../support/doctor-cli';
import { REPO_NODE_MODULES, linkedApp, linkedExpressApp } from '../support/framework-apps';

jest.setTimeout(60_000);

const ENV = { OTEL_TRACES_EXPORTER: 'none', NODE_OPTIONS: '--preserve-symlinks', NODE_PATH: REPO_NODE_MODULES };

function routes(checks: readonly Check[]): Check | undefined {
  return checks.find(c => c.subject === 'routes');
}

describe('tracehop doctor: route names', () => {
  test('an Express 5 app: routes ok for express, with its version, in the text and the JSON report', async () => {
    const app = linkedExpressApp('express5', 'express-app.js');
    try {
      const text = await runDoctorCli([app.script], { env: ENV });
      expect(text.stdout).toMatch(/^ {2}ok +routes +route names \(http\.route, "METHOD \/template"\) for express 5\.\d+\.\d+ \(Router hooked\)$/m);
      expect(text.stdout).toMatch(/^ {2}ok +express +5\.\d+\.\d+ hooked by tracehop-express-routes [\d.]+ \(require\)$/m);
      const json = await runDoctorCli(['--json', app.script], { env: ENV });
      expect(routes(json.report.checks)).toMatchObject({ section: 'hooks', status: 'ok' });
    } finally {
      app.remove();
    }
  });

  test('a Fastify 4 app: routes ok for fastify through fastify.initialization', async () => {
    const app = linkedApp('fastify', 'fastify4', 'fastify-app.js');
    try {
      const { stdout } = await runDoctorCli([app.script], { env: { ...ENV, FASTIFY_MODULE: 'fastify' } });
      expect(stdout).toMatch(/^ {2}ok +routes +route names .* for fastify 4\.\d+\.\d+ \(fastify\.initialization\)$/m);
    } finally {
      app.remove();
    }
  });

  test('a Hono app on @hono/node-server, imported: routes ok for hono, its Hono class hooked', async () => {
    const { stdout } = await runDoctorCli([path.join(__dirname, '..', 'fixtures', 'frameworks', 'hono-app.mjs')], { env: ENV });
    expect(stdout).toMatch(/^ {2}ok +routes +route names .* for hono 4\.\d+\.\d+ \(Hono hooked\)$/m);
    expect(stdout).toMatch(/^ {2}ok +hono +4\.\d+\.\d+ hooked by tracehop-hono-routes [\d.]+ \(import\)$/m);
  });

  test('an app with no supported framework: a note that spans are named by method only', async () => {
    const { report } = await runDoctorCli(['--json', path.join(__dirname, '..', 'fixtures', 'server.js')], { env: ENV });
    expect(routes(report.checks)).toMatchObject({ status: 'note', detail: expect.stringContaining('named by method only') });
  });
});
