import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readTlsFiles, tlsFilesOnce } from '../../../src/export/tls-files';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tracehop-tls-files-'));
  writeFileSync(path.join(dir, 'ca.pem'), 'CA');
  writeFileSync(path.join(dir, 'client.pem'), 'CERT');
  writeFileSync(path.join(dir, 'client.key'), 'KEY');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the files set are read as Node's ca, cert and key; none set, no options", () => {
  const warnings: string[] = [];
  expect(
    readTlsFiles({ certificate: path.join(dir, 'ca.pem'), clientCertificate: path.join(dir, 'client.pem'), clientKey: path.join(dir, 'client.key') }, w =>
      warnings.push(w),
    ),
  ).toEqual({ ca: 'CA', cert: 'CERT', key: 'KEY' });
  expect(readTlsFiles({}, w => warnings.push(w))).toEqual({});
  expect(warnings).toEqual([]);
});

test('a file that cannot be read is left out with one line naming the setting, and nothing is thrown', () => {
  const warnings: string[] = [];
  expect(readTlsFiles({ certificate: path.join(dir, 'ca.pem'), clientKey: path.join(dir, 'missing.key') }, w => warnings.push(w))).toEqual({ ca: 'CA' });
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/^the OTEL_EXPORTER_OTLP_CLIENT_KEY file ".*missing\.key" could not be read \(ENOENT\); exporting without it$/);
});

test("read once, however many callers (the exporter's agent and the hand-off)", () => {
  const warnings: string[] = [];
  const tls = tlsFilesOnce({ clientKey: path.join(dir, 'missing.key') }, w => warnings.push(w));
  expect(tls()).toBe(tls());
  expect(warnings).toHaveLength(1);
});
