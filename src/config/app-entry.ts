/**
 * The app's own entry script and environment, for the service name, the
 * module system and every setting: usually the script Node was given and
 * `process.env`. PM2 is the exception: it starts every app from a container
 * script of its own. Pure.
 */
import type { Env } from './types';

/** PM2's container scripts: ProcessContainerFork.js (fork mode) and ProcessContainer.js (cluster mode). */
const PM2_CONTAINER = /[\\/]pm2[\\/]lib[\\/]ProcessContainer(Fork)?\.js$/;

/** PM2's container loads the app later; until then its environment may sit in one JSON variable. */
export function isPm2Container(script: string | undefined): boolean {
  return script !== undefined && PM2_CONTAINER.test(script);
}

/**
 * The environment the app will run with. In PM2's cluster mode a worker
 * starts with the app's whole environment in the JSON variable `pm2_env`,
 * which the container copies into `process.env` only after preloads ran:
 * its string values are laid over `env` here, as the container will lay
 * them. Anything else, or JSON that does not parse, leaves `env` as it is.
 */
export function appEnvironment(script: string | undefined, env: Env): Env {
  const packed = env.pm2_env;
  if (!isPm2Container(script) || packed === undefined || packed === '') return env;
  let parsed: unknown;
  try {
    parsed = JSON.parse(packed);
  } catch {
    // Not JSON: not PM2's packed environment, so the process's own is the app's; nothing is lost.
    return env;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return env;
  const merged: Record<string, string | undefined> = { ...env };
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value === 'string') merged[name] = value;
  }
  return merged;
}

/**
 * The app's own entry script: the one Node was given, unless that is PM2's
 * container, which loads the app named in `pm_exec_path` (and a process the
 * app starts inherits that variable, so it counts only under the container).
 */
export function appEntryScript(script: string | undefined, env: Env): string | undefined {
  const pm2App = env.pm_exec_path?.trim();
  return isPm2Container(script) && pm2App ? pm2App : script;
}
