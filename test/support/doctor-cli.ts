/**
 * Runs `tracehop doctor` as users do, through the package's bin, in a child
 * process with a kill timeout.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { DoctorReport } from '../../src/cli/doctor/diagnose';

const BIN = path.join(__dirname, '..', '..', 'bin', 'tracehop.js');
/** The doctor's own bound is its --timeout plus the app's stop grace; this only guards against a hang. */
const KILL_AFTER_MS = 45_000;

export interface DoctorRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed, when the run asked for --json. */
  readonly report: DoctorReport;
}

export function runDoctorCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<DoctorRun> {
  const child = spawn(process.execPath, [BIN, 'doctor', ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', chunk => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', chunk => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', code => {
      clearTimeout(timer);
      let report = undefined as unknown as DoctorReport;
      if (args.includes('--json')) {
        try {
          report = JSON.parse(stdout) as DoctorReport;
        } catch {
          reject(new Error(`doctor --json printed no JSON (exit ${code}); stdout: ${stdout}; stderr: ${stderr}`));
          return;
        }
      }
      resolve({ code, stdout, stderr, report });
    });
  });
}
