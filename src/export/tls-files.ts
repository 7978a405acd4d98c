/**
 * The TLS files of the OTLP exporter settings (OTEL_EXPORTER_OTLP_CERTIFICATE,
 * CLIENT_KEY, CLIENT_CERTIFICATE and their TRACES_ forms, read by src/config),
 * read once, relative paths from the working directory, as the OpenTelemetry
 * exporter reads them. The exporter's agent (attempt-deadline.ts) and the
 * exit hand-off's child (exit-hand-off.ts) both get the contents, so the
 * spans sent at exit reach the collector the way every other batch does.
 * They are read when first needed (the first export, or the hand-off), not
 * while the SDK is built: diag is silenced then (src/runtime/start.ts), and
 * a file that cannot be read must be said.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TlsFiles } from '../config';
import { tracehopDiag } from '../diag';

/** Node's TLS options, as `https.Agent` and `https.request` take them. */
export interface TlsOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Reads the files on the first call and gives the same options to every caller after it. */
export function tlsFilesOnce(files: TlsFiles, warn?: (message: string) => void): () => TlsOptions {
  let options: TlsOptions | undefined;
  return () => (options ??= readTlsFiles(files, warn));
}

/**
 * Reads the files that are set. One that cannot be read is left out, with
 * one warning at start-up naming the setting (as the exporter does), and the
 * export goes on without it: the collector then says whether it needs it.
 */
export function readTlsFiles(files: TlsFiles, warn: (message: string) => void = message => tracehopDiag.warn(message)): TlsOptions {
  const read = (path: string | undefined, what: string): string | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(resolve(path), 'utf8');
    } catch (error) {
      warn(`the ${what} file ${JSON.stringify(path)} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); exporting without it`);
      return undefined;
    }
  };
  const options: { ca?: string; cert?: string; key?: string } = {};
  const ca = read(files.certificate, 'OTEL_EXPORTER_OTLP_CERTIFICATE');
  const cert = read(files.clientCertificate, 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE');
  const key = read(files.clientKey, 'OTEL_EXPORTER_OTLP_CLIENT_KEY');
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined) options.cert = cert;
  if (key !== undefined) options.key = key;
  return options;
}
