/**
 * A temporary directory where `tracehop` resolves as an installed package
 * (node_modules/tracehop links to this checkout), so tests can use the
 * names users write: `tracehop/register`, `require('tracehop')`.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
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
 * beside tracehop: `linkRepoPackages(dir, ['ioredis', '@opentelemetry/instrumentation'])`.
 */
export function linkRepoPackages(dir: string, names: readonly string[]): void {
  for (const name of names) {
    const link = path.join(dir, 'node_modules', name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules', name), link, 'dir');
  }
}
