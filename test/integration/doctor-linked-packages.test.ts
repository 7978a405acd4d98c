/**
 * `tracehop doctor` against an app whose package is a symbolic link, as all
 * of pnpm's are: Node must still follow the link, so that the package finds
 * its own dependencies beside its real directory. On Node 22 a plain
 * `fstatSync` of the doctor's pipe in the app broke that (nodejs/node#51142):
 * pino resolved to its link, and its `require('pino-std-serializers')` failed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Check } from '../../src/cli/doctor/diagnose';
import { runDoctorCli } from '../support/doctor-cli';
import { REPO_NODE_MODULES } from '../support/framework-apps';

const APPS: Record<string, { file: string; source: string }> = {
  CommonJS: {
    file: 'app.js',
    source: `'use strict';
const http = require('node:http');
const log = require('pino')();
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', () => log.info('listening'));
`,
  },
  'an ES module': {
    file: 'app.mjs',
    source: `import http from 'node:http';
import pino from 'pino';
const log = pino();
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', () => log.info('listening'));
`,
  },
};

describe('tracehop doctor, an app whose pino is a symbolic link', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-linked-'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    // pino's own dependencies are only beside its real directory, in the repository's node_modules.
    fs.symlinkSync(path.join(REPO_NODE_MODULES, 'pino'), path.join(dir, 'node_modules', 'pino'), 'dir');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each(Object.keys(APPS))('%s app: it starts, listens and its pino is hooked', async kind => {
    const app = APPS[kind];
    const script = path.join(dir, app.file);
    fs.writeFileSync(script, app.source);
    const { code, report, stderr } = await runDoctorCli(['--json', script], { env: { OTEL_TRACES_EXPORTER: 'none' } });
    const check = (subject: string): Check | undefined => report.checks.find(c => c.subject === subject);
    expect(stderr).not.toContain('MODULE_NOT_FOUND');
    expect(report.run.outcome).toBe('listening');
    expect(check('run')).toMatchObject({ status: 'ok' });
    expect(check('pino')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/hooked by tracehop-pino-hook/) });
    expect(code).toBe(0);
  });
});
