import { jaegerConfigPath, readBinaries } from './binaries';
import { freePorts, launch, waitUntilReady } from './process';

export interface Jaeger {
  /** Base URL of the OTLP/HTTP receiver; traces go to `${otlpHttpUrl}/v1/traces`. */
  otlpHttpUrl: string;
  /** host:port of the OTLP/gRPC receiver (no scheme), as the collector's otlp exporter wants it. */
  otlpGrpcEndpoint: string;
  /** Base URL of the query service: `${queryUrl}/api/traces/...`, `${queryUrl}/api/services`. */
  queryUrl: string;
  /** Readiness endpoint of Jaeger's healthcheckv2 extension (200 once every component is up). */
  healthUrl: string;
  logs(): string;
  stop(): Promise<void>;
}

export interface StartJaegerOptions {
  /** How long to wait for Jaeger to report healthy (ms). */
  startTimeoutMs?: number;
  /** Extra environment for the Jaeger process. */
  env?: Record<string, string>;
}

async function answers(url: string, expectOk: (res: Response) => boolean): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return expectOk(res);
}

/**
 * Starts Jaeger v2 with test/e2e/jaeger-config.yaml: in-memory storage, all
 * ports on 127.0.0.1 and chosen free, so tests can run several instances.
 * Resolves once the health endpoint says OK and the query API answers.
 */
export async function startJaeger(options: StartJaegerOptions = {}): Promise<Jaeger> {
  const { jaeger } = readBinaries();
  const [otlpGrpc, otlpHttp, queryHttp, queryGrpc, health] = await freePorts(5);
  const proc = launch('jaeger', jaeger, ['--config', jaegerConfigPath], {
    TRACEHOP_E2E_JAEGER_OTLP_GRPC_PORT: String(otlpGrpc),
    TRACEHOP_E2E_JAEGER_OTLP_HTTP_PORT: String(otlpHttp),
    TRACEHOP_E2E_JAEGER_QUERY_HTTP_PORT: String(queryHttp),
    TRACEHOP_E2E_JAEGER_QUERY_GRPC_PORT: String(queryGrpc),
    TRACEHOP_E2E_JAEGER_HEALTH_PORT: String(health),
    ...options.env,
  });

  const queryUrl = `http://127.0.0.1:${queryHttp}`;
  const healthUrl = `http://127.0.0.1:${health}/status`;
  // Health covers the receivers and storage; the query API is checked too
  // because it is what the tests talk to.
  await waitUntilReady(
    proc,
    'healthy status',
    async () => (await answers(healthUrl, res => res.status === 200)) && answers(`${queryUrl}/api/services`, res => res.ok),
    options.startTimeoutMs ?? 30_000,
  );

  return {
    otlpHttpUrl: `http://127.0.0.1:${otlpHttp}`,
    otlpGrpcEndpoint: `127.0.0.1:${otlpGrpc}`,
    queryUrl,
    healthUrl,
    logs: proc.logs,
    stop: proc.stop,
  };
}
