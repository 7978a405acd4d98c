import { joinRouteTemplates } from '../../../src/frameworks/route-template';
import { MountTemplates } from '../../../src/frameworks/mount-templates';
import type { MountChain } from '../../../src/frameworks/mount-templates';

/** A chain of mounts from the outermost pattern down. */
function chain(...patterns: unknown[]): MountChain | undefined {
  let mounts: MountChain | undefined;
  for (const template of patterns) mounts = { template, outer: mounts };
  return mounts;
}

describe('MountTemplates', () => {
  const regexpMount = /^\/re/;
  test.each<[unknown[], unknown, string | null]>([
    [[], '/users/:id', '/users/:id'],
    [['/api'], '/items/:itemId', '/api/items/:itemId'],
    [['/', '/api/', '/cards'], '/:cardNumber/', '/api/cards/:cardNumber'],
    [['/tenants/:tenant', '/'], '/things/:thingId', '/tenants/:tenant/things/:thingId'],
    [[], '/', '/'],
    [[regexpMount], '/x', null],
    [['/a'], ['/b', '/c'], null],
  ])('mounts %j and route %j give what joinRouteTemplates gives: %j', (mounts, route, expected) => {
    const templates = new MountTemplates();
    // Asked twice: the second answer comes from what the first remembered.
    expect(templates.join(chain(...mounts), route)).toBe(expected);
    expect(templates.join(chain(...mounts), route)).toBe(expected);
    expect(expected).toBe(joinRouteTemplates([...mounts, route]));
  });

  test('chains that share mounts keep their own templates', () => {
    const templates = new MountTemplates();
    expect(templates.join(chain('/api', '/cards'), '/:id')).toBe('/api/cards/:id');
    expect(templates.join(chain('/api'), '/cards/:id')).toBe('/api/cards/:id');
    expect(templates.join(chain('/api', '/users'), '/:id')).toBe('/api/users/:id');
    expect(templates.join(chain('/v2', '/cards'), '/:id')).toBe('/v2/cards/:id');
    expect(templates.join(chain('/api', '/cards'), '/:id')).toBe('/api/cards/:id');
  });

  test('past its bound (routers made per request) it keeps joining, correctly, without remembering', () => {
    const templates = new MountTemplates();
    for (let i = 0; i < 10_050; i++) expect(templates.join(chain(`/m${i}`), '/x')).toBe(`/m${i}/x`);
    expect(templates.join(chain('/m5'), '/x')).toBe('/m5/x');
    expect(templates.join(chain('/late'), '/y')).toBe('/late/y');
  });
});
