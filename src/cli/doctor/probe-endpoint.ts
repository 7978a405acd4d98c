/**
 * Does the OTLP endpoint answer? The doctor sends what an exporter with
 * nothing to report would: an ExportTraceServiceRequest with no spans (OTLP
 * specification, OTLP/HTTP). In protobuf that message is zero bytes; in JSON
 * it is `{"resourceSpans":[]}`. A collector accepts it and stores nothing.
 */

export const PROBE_TIMEOUT_MS = 3_000;

export interface EndpointProbe {
  readonly url: string;
  /** Whether anything answered over HTTP, whatever the status. */
  readonly answered: boolean;
  readonly status?: number;
  /** Why nothing answered: a connection error code, or the time limit. */
  readonly error?: string;
}

export async function probeEndpoint(
  url: string,
  protocol: string,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number = PROBE_TIMEOUT_MS,
): Promise<EndpointProbe> {
  const json = protocol === 'http/json';
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': json ? 'application/json' : 'application/x-protobuf' },
      body: json ? '{"resourceSpans":[]}' : new Uint8Array(0),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { url, answered: true, status: response.status };
  } catch (error) {
    return { url, answered: false, error: describeFailure(error, timeoutMs) };
  }
}

/** fetch rejects with a TypeError whose `cause` holds the socket error (ECONNREFUSED, ENOTFOUND...). */
function describeFailure(error: unknown, timeoutMs: number): string {
  const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  if (failure?.name === 'TimeoutError' || failure?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return failure?.cause?.code ?? failure?.cause?.message ?? failure?.message ?? String(error);
}
