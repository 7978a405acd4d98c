/**
 * A temporary directory where `tracehop` resolves as an installed package
 * (node_modules/tracehop links to this checkout), so tests can use the
 * names users write: `tracehop/register`, `require('tracehop')`.
 */
import { cpSync, mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.join(__dirname, '..', '..');

export interface InstalledPackage {
  readonly dir: string;
  remove(): void;
}

/** Synchronous, so a test file can use the directory in options it declares up front. */
export function installTracehopInTempDir(prefix = 'tracehop-installed-'): InstalledPackage {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'tracehop'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Links packages this checkout installed (its devDependencies) into an
 * installed package's directory, as if the app there had installed them
 * beside tracehop: `linkRepoPackages(dir, ['ioredis', '@opentelemetry/api'])`.
 * Node resolves a link to its real path, so a linked package is the
 * repository's own copy, and so are the packages it requires: link only what
 * the app may share with tracehop; copy (copyRepoPackages) what must be the app's.
 */
export function linkRepoPackages(dir: string, names: readonly string[]): void {
  for (const name of names) {
    const link = path.join(dir, 'node_modules', name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules', name), link, 'dir');
  }
}

/**
 * Copies packages this checkout installed into an installed package's
 * directory, links followed, nested node_modules included: the app's own
 * copies, which Node resolves under the app's directory, not the repository's.
 * The packages they require resolve from the app's node_modules.
 */
export function copyRepoPackages(dir: string, names: readonly string[]): void {
  for (const name of names) {
    cpSync(path.join(REPO_ROOT, 'node_modules', name), path.join(dir, 'node_modules', name), { recursive: true, dereference: true });
  }
}
