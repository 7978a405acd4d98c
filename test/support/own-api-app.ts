/**
 * An app with its own copy of @opentelemetry/api, for the tests: a temporary
 * directory with test/fixtures/app-own-api-app.js, a real copy (not a link,
 * which Node would resolve back to the repository's) of an installed API
 * package as its node_modules/@opentelemetry/api, and pino linked from the
 * repository.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_NODE_MODULES } from './framework-apps';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'app-own-api-app.js');

export interface OwnApiApp {
  readonly script: string;
  readonly version: string;
  remove(): void;
}

/**
 * A temporary app directory whose node_modules/@opentelemetry/api is a copy
 * of `source` (made `version` when given), with pino linked from the repository.
 */
export function ownApiApp(source: string, version?: string): OwnApiApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracehop-own-api-'));
  const api = path.join(dir, 'node_modules', '@opentelemetry', 'api');
  fs.cpSync(path.join(REPO_NODE_MODULES, source), api, { recursive: true, dereference: true });
  if (version !== undefined) fabricateVersion(api, version);
  fs.symlinkSync(path.join(REPO_NODE_MODULES, 'pino'), path.join(dir, 'node_modules', 'pino'), 'dir');
  const script = path.join(dir, path.basename(FIXTURE));
  fs.copyFileSync(FIXTURE, script);
  const actual = (JSON.parse(fs.readFileSync(path.join(api, 'package.json'), 'utf8')) as { version: string }).version;
  return { script, version: actual, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Makes a copy of the API believe it is `version`: its package.json and the
 * VERSION constant it checks the global's compatibility against (one file
 * per build, CommonJS and ES module). Fails loudly if the package moved it.
 */
function fabricateVersion(api: string, version: string): void {
  const packageJson = path.join(api, 'package.json');
  const manifest = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version: string };
  const original = manifest.version;
  fs.writeFileSync(packageJson, JSON.stringify({ ...manifest, version }, null, 2));
  const versionFiles = ['dist/version.cjs', 'dist/version.mjs'].map(file => path.join(api, file));
  for (const file of versionFiles) {
    const text = fs.readFileSync(file, 'utf8');
    const edited = text.replace(`VERSION = "${original}"`, `VERSION = "${version}"`);
    if (edited === text) throw new Error(`no VERSION = "${original}" in ${file}: the fixture needs updating for this @opentelemetry/api`);
    fs.writeFileSync(file, edited);
  }
}
