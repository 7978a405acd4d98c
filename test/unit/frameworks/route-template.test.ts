import { joinRouteTemplates, routeSpanName } from '../../../src/frameworks/route-template';

describe('joinRouteTemplates', () => {
  test.each<[unknown[], string | null]>([
    [['/users/:id'], '/users/:id'],
    [['/api', '/items/:itemId'], '/api/items/:itemId'],
    [['/api/', '/items/:itemId/'], '/api/items/:itemId'],
    [['/', '/users'], '/users'],
    [['/nested', '/v1', '/items/:itemId'], '/nested/v1/items/:itemId'],
    [['api', 'items'], '/api/items'],
    [['/'], '/'],
    [[''], '/'],
    [[], '/'],
    [['/a//b'], '/a/b'],
    [['/users/{id}'], '/users/{id}'],
    [[/^\/re/, '/x'], null],
    [[['/a', '/b'], '/x'], null],
  ])('%j joins to %j', (parts, expected) => {
    expect(joinRouteTemplates(parts)).toBe(expected);
  });
});

describe('routeSpanName', () => {
  test('is METHOD and template separated by one space', () => {
    expect(routeSpanName('GET', '/users/:id')).toBe('GET /users/:id');
  });
});
