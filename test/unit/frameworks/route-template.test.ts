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
  // HTTP semantic conventions: a method outside the known set is named HTTP (its attribute is _OTHER).
  const table: Array<[string, string, string]> = [
    ['GET', '/users/:id', 'GET /users/:id'],
    ['post', '/users', 'POST /users'],
    ['QUERY', '/search', 'QUERY /search'],
    ['PROPFIND', '/dav/{path}', 'HTTP /dav/{path}'],
    ['M-SEARCH', '/', 'HTTP /'],
  ];
  test.each(table)('%s %s is named %s', (method, template, name) => {
    expect(routeSpanName(method, template)).toBe(name);
  });
});
