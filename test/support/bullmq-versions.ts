/**
 * The BullMQ majors the jobs tests run on. BullMQ 6 is the development
 * dependency, so a fixture requires it as it is; BullMQ 5 (and the
 * bullmq-otel 1 that goes with it) are installed under npm aliases, so a
 * fixture runs from a temporary directory where `bullmq` and `bullmq-otel`
 * link to them (framework-apps.ts), with `--preserve-symlinks` so that
 * tracehop sees the module as `bullmq`.
 */
import * as path from 'node:path';
import { REPO_NODE_MODULES, linkedFixture, type LinkedApp } from './framework-apps';
import { REGISTER, type StartOptions } from './services';

export interface BullmqVersion {
  readonly major: 5 | 6;
  /** Modules linked to aliases; none for the development dependency. */
  readonly links: Record<string, string> | undefined;
}

export const BULLMQ_VERSIONS: readonly BullmqVersion[] = [
  { major: 6, links: undefined },
  { major: 5, links: { bullmq: 'bullmq5', 'bullmq-otel': 'bullmq-otel1' } },
];

export interface JobsApp {
  readonly major: number;
  readonly script: string;
  /** The environment it needs on top of a test's. */
  readonly env: Record<string, string>;
  /** Start options, under tracehop or not. */
  options(withTracehop: boolean): StartOptions;
  remove(): void;
}

/** `fixture` (with the files in `alongside`, from the same directory) as it runs on `version`. */
export function jobsApp(version: BullmqVersion, fixture: string, alongside: readonly string[] = []): JobsApp {
  if (version.links === undefined) {
    return { major: version.major, script: fixture, env: {}, options: withTracehop => (withTracehop ? {} : { nodeArgs: [] }), remove: () => undefined };
  }
  const linked: LinkedApp = linkedFixture(version.links, fixture, alongside);
  return {
    major: version.major,
    script: linked.script,
    // The rest of the fixture's dependencies (pino, ioredis, the SDK) resolve from the repository.
    env: { NODE_PATH: REPO_NODE_MODULES },
    options: withTracehop => ({ nodeArgs: withTracehop ? ['--preserve-symlinks', '-r', REGISTER] : ['--preserve-symlinks'] }),
    remove: linked.remove,
  };
}

/** The major of the BullMQ that `service` (the jobs app) said it loaded, in its listening line. */
export function bullmqMajorOf(lines: ReadonlyArray<Record<string, unknown>>): number {
  const listening = lines.find(line => line.msg === 'listening');
  return Number(String(listening?.bullmq).split('.')[0]);
}

export const JOBS_FIXTURES = path.join(__dirname, '..', 'fixtures', 'jobs');
