/**
 * The three-service chain as CommonJS services under `node -r ./register.js`
 * (the assertions are in test/support/chain-assertions.ts).
 */
import { describeLostAndStolenChain } from '../support/chain-assertions';

describeLostAndStolenChain({ name: 'CommonJS services under -r ./register.js' });
