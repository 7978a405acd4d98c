/**
 * The three-service chain on each server-span source: tracehop's own (the
 * default) and instrumentation-http's (TRACEHOP_SERVER_SPAN=instrumentation-http).
 */
import { describeLostAndStolenChain } from '../support/chain-assertions';

describeLostAndStolenChain({
  name: "CommonJS services on tracehop's own server span (the default)",
  serverSpanScope: 'tracehop-http-server',
});

describeLostAndStolenChain({
  name: 'CommonJS services with TRACEHOP_SERVER_SPAN=instrumentation-http',
  env: { TRACEHOP_SERVER_SPAN: 'instrumentation-http' },
  serverSpanScope: '@opentelemetry/instrumentation-http',
});
