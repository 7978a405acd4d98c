/**
 * The three-service chain as ES modules under `node --import tracehop/register`,
 * the package export resolved as an installed package would be, with the same
 * assertions as the CommonJS services.
 */
import { describeLostAndStolenChain } from '../support/chain-assertions';
import { installTracehopInTempDir } from '../support/installed-package';

// `--import` resolves its specifier from the working directory.
const installed = installTracehopInTempDir();
afterAll(() => installed.remove());

describeLostAndStolenChain({
  name: 'ES module services under --import tracehop/register',
  options: { scriptName: 'server.mjs', nodeArgs: ['--import', 'tracehop/register'], cwd: installed.dir },
});
