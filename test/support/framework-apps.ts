/**
 * The web frameworks are installed for the tests under npm aliases
 * (express4, express5, fastify4, fastify5). Express is hooked, and the
 * doctor watches Fastify, by module name, so such an app runs from a temporary directory where
 * `node_modules/express` links to one alias; Node then needs
 * `--preserve-symlinks` (so that the module is seen as `express`) and
 * NODE_PATH (so that the framework's own dependencies resolve from the repository).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
export const FRAMEWORK_FIXTURES = path.join(__dirname, '..', 'fixtures', 'frameworks');
export const REPO_NODE_MODULES = path.join(ROOT, 'node_modules');

export interface LinkedApp {
  /** The fixture's copy in the temporary directory. */
  readonly script: string;
  remove(): void;
}

/** Copies `fixture` (from test/fixtures/frameworks) into a temporary directory where `moduleName` is `alias`. */
export function linkedApp(moduleName: string, alias: string, fixture: string): LinkedApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tracehop-${alias}-`));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(REPO_NODE_MODULES, alias), path.join(dir, 'node_modules', moduleName), 'dir');
  fs.copyFileSync(path.join(FRAMEWORK_FIXTURES, fixture), path.join(dir, fixture));
  return { script: path.join(dir, fixture), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** linkedApp for Express: `express` is `alias`. */
export function linkedExpressApp(alias: string, fixture: string): LinkedApp {
  return linkedApp('express', alias, fixture);
}
