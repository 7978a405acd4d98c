import { MAX_REQUEST_ID_HEADER_LENGTH, describeRejectedRequestId, isAcceptableId, parseRequestId } from '../../../../src/core/ids/request-id';

describe('parseRequestId', () => {
  const accepted: Array<[string, string, string[]]> = [
    ['a lowercase UUID', '0dadb33f-ee15-470a-bfc8-5e35926793a5', ['0dadb33f-ee15-470a-bfc8-5e35926793a5']],
    ['an uppercase UUID, case kept', '0DADB33F-EE15-470A-BFC8-5E35926793A5', ['0DADB33F-EE15-470A-BFC8-5E35926793A5']],
    ['32 hex digits', '0dadb33fee15470abfc85e35926793a5', ['0dadb33fee15470abfc85e35926793a5']],
    ['a free-form id', 'req_42!', ['req_42!']],
    ['one character', 'x', ['x']],
    ['128 characters', 'a'.repeat(128), ['a'.repeat(128)]],
    ['every visible ASCII character but the comma', '!"#$%&\'()*+-./:;<=>?@[\\]^_`{|}~', ['!"#$%&\'()*+-./:;<=>?@[\\]^_`{|}~']],
    ['the chain form', 'root-id,ac0eabbd00000001,f2aab75e00000002', ['root-id', 'ac0eabbd00000001', 'f2aab75e00000002']],
  ];
  test.each(accepted)('accepts %s', (_title, value, chain) => {
    expect(parseRequestId(value)).toEqual({ id: chain[0], chain });
  });

  const rejected: Array<[string, string | string[] | undefined, string]> = [
    ['an absent header', undefined, 'empty'],
    ['an empty value', '', 'empty'],
    ['129 characters', 'a'.repeat(129), '129 characters'],
    ['a CR/LF injection', 'abc\r\nX-Admin: true', 'CR or LF'],
    ['a bare LF', 'abc\ndef', 'CR or LF'],
    ['non-ASCII', 'caf\u00e9', 'non-ASCII'],
    ['an emoji', 'id-\u{1F600}', 'non-ASCII'],
    ['a space inside', 'abc def', 'white space'],
    ['a leading space', ' abc', 'white space'],
    ['a tab', 'abc\tdef', 'white space'],
    ['a NUL byte', 'abc\u0000', 'control characters'],
    ['DEL', 'abc\u007f', 'control characters'],
    ['a trailing comma', 'abc,', 'empty element'],
    ['a leading comma', ',abc', 'empty element'],
    ['two commas in a row', 'abc,,def', 'empty element'],
    ['a repeated header joined by node', 'abc, def', 'white space'],
    ['a header array', ['abc', 'def'], 'repeated'],
    ['a chain element of 129 characters', `root,${'h'.repeat(129)}`, '129 characters'],
    ['a value over the header bound', 'a,'.repeat(MAX_REQUEST_ID_HEADER_LENGTH), 'characters long'],
  ];
  test.each(rejected)('rejects %s and says why without echoing it', (_title, value, reason) => {
    expect(parseRequestId(value)).toBeNull();
    const description = describeRejectedRequestId(value);
    expect(description).toContain(reason);
    if (typeof value === 'string' && value.length > 3) expect(description).not.toContain(value);
  });
});

describe('isAcceptableId', () => {
  test.each([
    ['abc', true],
    ['a,b', false],
    ['', false],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
  ])('isAcceptableId(%j) is %s', (value, expected) => {
    expect(isAcceptableId(value)).toBe(expected);
  });
});
