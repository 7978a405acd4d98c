/**
 * The app's own entry script, for the service name and the module system:
 * usually the script Node was given. Pure.
 */
import type { Env } from './types';

/** PM2 starts every app from a container script of its own, and names the app's script in `pm_exec_path`. */
const PM2_CONTAINER = /[\\/]pm2[\\/]lib[\\/]ProcessContainer(Fork)?\.js$/;

/**
 * The app's own entry script: the one Node was given, unless that is PM2's
 * container, which loads the app named in `pm_exec_path` (and a process the
 * app starts inherits that variable, so it counts only under the container).
 */
export function appEntryScript(script: string | undefined, env: Env): string | undefined {
  const pm2App = env.pm_exec_path?.trim();
  return script !== undefined && pm2App && PM2_CONTAINER.test(script) ? pm2App : script;
}
