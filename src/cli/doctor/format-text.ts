/**
 * The doctor's report for people: a few short sections, one line per
 * finding, problems in capitals so they stand out without colour.
 */
import { describeSystem } from '../../introspection/startup-facts';
import type { Check, CheckStatus, DoctorReport } from './diagnose';

const STATUS_LABEL: Record<CheckStatus, string> = { ok: 'ok', note: 'note', warning: 'warning', problem: 'PROBLEM' };
const LABEL_WIDTH = 8;
const SUBJECT_WIDTH = 10;
const KEY_WIDTH = 20;

export function formatReport(report: DoctorReport): string {
  const lines: string[] = [`tracehop doctor: ${report.script}`];
  const section = (title: string, body: readonly string[]) => {
    if (body.length > 0) lines.push('', title, ...body.map(line => `  ${line}`));
  };

  const app: string[] = [];
  app.push(pair('command', `node ${report.command.join(' ')}`));
  if (report.node) app.push(pair('node', report.node));
  if (report.entry) {
    const declared = `${describeSystem(report.entry.system)} (${report.entry.reason})`;
    const loaded =
      report.entry.loadedAs !== undefined && report.entry.loadedAs !== report.entry.system
        ? `; Node loaded it as ${describeSystem(report.entry.loadedAs)}`
        : '';
    app.push(pair('entry point', `${declared}${loaded}`));
  }
  app.push(...checksOf(report, 'app'));
  section('app', app);

  section('hooks', checksOf(report, 'hooks'));

  const config = report.config;
  const settings: string[] = [];
  if (config) {
    settings.push(
      pair('service.name', `${config.serviceName} (from ${config.serviceNameSource})`),
      pair('exporters', config.tracesExporters.join(', ') || 'none'),
      pair('endpoint', `${config.tracesEndpoint} (${config.protocol})`),
      pair('export headers', config.exporterHeaderNames.join(', ') || '(none)'),
      pair('sampler', config.sampler.includes('ratio') ? `${config.sampler} ${config.samplerRatio}` : config.sampler),
      pair('propagators', config.propagators.join(', ') || 'none'),
      pair('request-id headers', `${config.requestIdHeaders.join(', ')} (${config.echoedRequestIdHeader} echoed and sent on)`),
      pair('ignored paths', config.ignorePaths.join(', ') || '(none)'),
      pair('pino hook', config.pinoHook ? 'on' : 'off'),
      pair('job trace', `${config.jobTrace} (TRACEHOP_JOB_TRACE)`),
    );
  }
  settings.push(...checksOf(report, 'configuration'));
  section('configuration', settings);

  section('export', checksOf(report, 'export'));

  if (!report.ok && report.stderrTail.length > 0) section("the app's last stderr lines", report.stderrTail);

  const problems = report.checks.filter(check => check.status === 'problem').length;
  lines.push(
    '',
    problems === 0
      ? 'everything the configuration asks for is working'
      : `${problems} problem${problems === 1 ? '' : 's'} (the PROBLEM lines above)${report.exitCode === 2 ? '; the app could not be examined' : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

function checksOf(report: DoctorReport, section: Check['section']): string[] {
  return report.checks
    .filter(check => check.section === section)
    .map(check => `${STATUS_LABEL[check.status].padEnd(LABEL_WIDTH)} ${check.subject.padEnd(SUBJECT_WIDTH)} ${check.detail}`);
}

function pair(key: string, value: string): string {
  return `${key.padEnd(KEY_WIDTH)} ${value}`;
}
