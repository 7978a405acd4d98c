/**
 * The web frameworks are installed for the tests under npm aliases
 * (express4, express5, fastify4, fastify5), and so are the older majors of
 * BullMQ and its own telemetry (bullmq5, bullmq-otel1). Express is hooked, and the
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
  return linkedFixture({ [moduleName]: alias }, path.join(FRAMEWORK_FIXTURES, fixture));
}

/**
 * Copies `fixture` (and the files in `alongside`, from the same directory)
 * into a temporary directory whose node_modules has each module of `links`
 * as the alias given (`{ bullmq: 'bullmq5' }`), or as the directory given by
 * an absolute path (a fixture package).
 */
export function linkedFixture(links: Record<string, string>, fixture: string, alongside: readonly string[] = []): LinkedApp {
  const dir = fs.mkdtempSync(
    path.join(
      os.tmpdir(),
      `tracehop-${Object.values(links)
        .map(alias => path.basename(alias))
        .join('-')}-`,
    ),
  );
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const [moduleName, alias] of Object.entries(links)) {
    fs.symlinkSync(path.isAbsolute(alias) ? alias : path.join(REPO_NODE_MODULES, alias), path.join(dir, 'node_modules', moduleName), 'dir');
  }
  for (const file of [path.basename(fixture), ...alongside]) fs.copyFileSync(path.join(path.dirname(fixture), file), path.join(dir, file));
  return { script: path.join(dir, path.basename(fixture)), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** linkedApp for Express: `express` is `alias`. */
export function linkedExpressApp(alias: string, fixture: string): LinkedApp {
  return linkedApp('express', alias, fixture);
}
