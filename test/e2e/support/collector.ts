import { execFile } from 'node:child_process';
import { collectorConfigPath, readBinaries } from './binaries';
import { freePorts, launch, waitUntilReady } from './process';

export interface Collector {
  /** Base URL of the OTLP/HTTP receiver; traces go to `${otlpHttpUrl}/v1/traces`. */
  otlpHttpUrl: string;
  /** host:port of the OTLP/gRPC receiver (no scheme). */
  otlpGrpcEndpoint: string;
  /** The collector's own Prometheus metrics (queue sizes, refused and dropped spans). */
  metricsUrl: string;
  logs(): string;
  stop(): Promise<void>;
}

export interface StartCollectorOptions {
  /** host:port of Jaeger's OTLP/gRPC receiver, e.g. `Jaeger.otlpGrpcEndpoint`. */
  jaegerOtlpGrpcEndpoint: string;
  /**
   * Extra environment for the collector, for the other knobs of
   * collector-config.yaml, e.g. `{ TRACEHOP_COLLECTOR_EXPORTERS: '[otlp/jaeger, debug]' }`.
   */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

/**
 * Runs the repository's collector-config.yaml unchanged, with only its
 * environment overrides pointing the receivers at free loopback ports and
 * the exporter at the given Jaeger.
 */
export async function startCollector(options: StartCollectorOptions): Promise<Collector> {
  const { otelcol } = readBinaries();
  const [grpc, http, metrics] = await freePorts(3);
  const proc = launch('otelcol', otelcol, ['--config', collectorConfigPath], {
    TRACEHOP_COLLECTOR_GRPC_ENDPOINT: `127.0.0.1:${grpc}`,
    TRACEHOP_COLLECTOR_HTTP_ENDPOINT: `127.0.0.1:${http}`,
    TRACEHOP_COLLECTOR_METRICS_HOST: '127.0.0.1',
    TRACEHOP_COLLECTOR_METRICS_PORT: String(metrics),
    TRACEHOP_JAEGER_ENDPOINT: options.jaegerOtlpGrpcEndpoint,
    TRACEHOP_JAEGER_INSECURE: 'true',
    ...options.env,
  });

  const otlpHttpUrl = `http://127.0.0.1:${http}`;
  // The core distribution has no health-check extension. The collector
  // starts its receivers after the rest of the pipeline, so an OTLP/HTTP
  // receiver that accepts an empty export means the whole pipeline is up.
  await waitUntilReady(
    proc,
    'OTLP/HTTP receiver',
    async () => {
      const res = await fetch(`${otlpHttpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ resourceSpans: [] }),
        signal: AbortSignal.timeout(2_000),
      });
      await res.arrayBuffer();
      return res.ok;
    },
    options.startTimeoutMs ?? 30_000,
  );

  return {
    otlpHttpUrl,
    otlpGrpcEndpoint: `127.0.0.1:${grpc}`,
    metricsUrl: `http://127.0.0.1:${metrics}/metrics`,
    logs: proc.logs,
    stop: proc.stop,
  };
}

export interface ValidateResult {
  code: number;
  output: string;
}

/** Variables read by collector-config.yaml. */
const CONFIG_ENV = /^TRACEHOP_(COLLECTOR|JAEGER)_/;

/**
 * Runs `otelcol validate` on collector-config.yaml (or another file). Only
 * `env` sets the config's variables: any inherited from the shell are
 * dropped, so an empty `env` checks the file's defaults.
 */
export function validateCollectorConfig(env: Record<string, string> = {}, configPath: string = collectorConfigPath): Promise<ValidateResult> {
  const { otelcol } = readBinaries();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !CONFIG_ENV.test(key)));
  return new Promise(resolve => {
    execFile(otelcol, ['validate', '--config', configPath], { env: { ...inherited, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}
