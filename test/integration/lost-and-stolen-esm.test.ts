/**
 * The three-service chain as ES modules (server.mjs: default, named and
 * top-level-await imports of pino) under `node -r ./register.js`, with the
 * same assertions as the CommonJS services.
 */
import { describeLostAndStolenChain } from '../support/chain-assertions';

describeLostAndStolenChain({ name: 'ES module services under -r ./register.js', options: { scriptName: 'server.mjs' } });
