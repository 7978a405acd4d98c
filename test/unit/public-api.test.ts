/**
 * The public API is what docs/api.md documents, and nothing more: a name
 * exported by accident becomes something users depend on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as api from '../../src';

const DOCUMENTED = ['addLogFields', 'configureRequestIds', 'currentRequest', 'inject', 'runAsRequest', 'runWithCarrier', 'tracehopMixin', 'withLogFields'];

test('the package exports exactly the documented functions', () => {
  expect(Object.keys(api).sort()).toEqual(DOCUMENTED);
});

test.each(DOCUMENTED)('docs/api.md documents %s', name => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'api.md'), 'utf8');
  expect(doc).toContain(`\`${name}`);
});
