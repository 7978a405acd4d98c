import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Repository root, so the e2e helpers find the configs wherever jest runs from. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** The collector config that tracehop ships to its users, run as is by the tests. */
export const collectorConfigPath = path.join(repoRoot, 'collector-config.yaml');

/** Jaeger config made for the tests: in-memory storage, loopback ports from env. */
export const jaegerConfigPath = path.join(repoRoot, 'test', 'e2e', 'jaeger-config.yaml');

export interface Binaries {
  jaeger: string;
  otelcol: string;
}

const BUILD_HINT = 'Run `bash scripts/e2e/build-binaries.sh` to build them (several minutes the first time).';

/** Same rule as scripts/e2e/build-binaries.sh, which owns the cache. */
export function cacheDir(): string {
  return process.env.TRACEHOP_CACHE_DIR || path.join(os.homedir(), '.cache', 'tracehop');
}

function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) values[match[1]] = match[2].trim();
  }
  return values;
}

function checkExecutable(label: string, file: string, source: string): string {
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error(`${label} binary ${file} (from ${source}) is missing or not executable. ${BUILD_HINT}`);
  }
  return file;
}

/**
 * Paths of the Jaeger and collector binaries that the build script wrote to
 * `<cache>/bin.env`. TRACEHOP_E2E_JAEGER_BIN and TRACEHOP_E2E_OTELCOL_BIN
 * take precedence, for machines that provide the programs some other way.
 */
export function readBinaries(): Binaries {
  const envFile = path.join(cacheDir(), 'bin.env');
  let fromFile: Record<string, string> = {};
  if (fs.existsSync(envFile)) {
    fromFile = parseEnvFile(fs.readFileSync(envFile, 'utf8'));
  }

  const pick = (label: string, override: string, key: string): string => {
    const fromEnv = process.env[override];
    if (fromEnv) return checkExecutable(label, fromEnv, `$${override}`);
    const value = fromFile[key];
    if (!value) {
      throw new Error(`No ${label} binary: ${envFile} is missing or has no ${key}. ${BUILD_HINT}`);
    }
    return checkExecutable(label, value, envFile);
  };

  return {
    jaeger: pick('Jaeger', 'TRACEHOP_E2E_JAEGER_BIN', 'JAEGER_BIN'),
    otelcol: pick('OpenTelemetry Collector', 'TRACEHOP_E2E_OTELCOL_BIN', 'OTELCOL_BIN'),
  };
}
