import { DEFAULT_LOG_FIELDS } from '../../../../src/config';
import { parseLogLine, scanRequestIds } from '../../../../src/cli/tree';

const ID = '0dadb33f-ee15-470a-bfc8-5e35926793a5';

function scan(text: string, field = 'request_id'): { id: string | undefined; line: string | undefined }[] {
  const out: { id: string | undefined; line: string | undefined }[] = [];
  scanRequestIds(text, field, (id, line) => out.push({ id, line }));
  return out;
}

describe('scanRequestIds', () => {
  // Each line alone: the id when its text settles it, else `parse` (handed over whole).
  test.each<[string, string, string]>([
    ['a flat pino line', `{"level":30,"time":1,"request_id":"${ID}","request_chain":"${ID},a1","msg":"hi"}`, ID],
    ['the field first', `{"request_id":"${ID}"}`, ID],
    ['a prefix before the object (docker, kubectl)', `cards | {"request_id":"${ID}","msg":"x"}`, ID],
    ['a nested object: the field could be inside it', `{"req":{"request_id":"other"},"request_id":"${ID}"}`, 'parse'],
    ['a nested object elsewhere', `{"request_id":"${ID}","err":{"message":"boom"}}`, 'parse'],
    ['a backslash anywhere: quotes may be escaped', `{"msg":"say \\"hi\\"","request_id":"${ID}"}`, 'parse'],
    ['the key written twice: JSON keeps the last', `{"request_id":"a","request_id":"b"}`, 'parse'],
    ['a value that is not a string', '{"request_id":42}', 'parse'],
    ['an empty value', '{"request_id":"","request_chain":"x,y"}', 'parse'],
    ['a space after the colon', `{"request_id": "${ID}"}`, 'parse'],
    ['no request id field: the chain may give it', `{"request_chain":"${ID},b"}`, 'parse'],
    ['the key inside a string value is not the key', `{"msg":"request_id:","x":"y"}`, 'parse'],
    ['not JSON at all', 'Server listening on 3000', 'parse'],
  ])('%s', (_title, text, expected) => {
    const [result, ...rest] = scan(`${text}\n`);
    expect(rest).toEqual([]);
    if (expected === 'parse') expect(result).toEqual({ id: undefined, line: text });
    else {
      expect(result).toEqual({ id: expected, line: undefined });
      // The promise the scanner keeps: a line it settles is that request's when parsed.
      const parsed = parseLogLine(text, DEFAULT_LOG_FIELDS, 'f', 0);
      expect(parsed.kind === 'line' && parsed.line.requestId).toBe(expected);
    }
  });

  test('a chunk of lines: empty lines skipped, \\r\\n endings, the last line without a newline, one answer per line in order', () => {
    const settled = `{"request_id":"s1"}`;
    const nested = `{"request_id":"n1","o":{}}`;
    const text = `${settled}\r\n\n${nested}\n\r\n{"request_id":"s2"}\n{"msg":"none"}`;
    expect(scan(text)).toEqual([
      { id: 's1', line: undefined },
      { id: undefined, line: nested },
      { id: 's2', line: undefined },
      { id: undefined, line: '{"msg":"none"}' },
    ]);
  });

  test('what one line holds does not leak into the next: a brace, a backslash or a key further on belongs to its own line', () => {
    const text = ['{"request_id":"a"}', '{"x":"\\\\"}', '{"request_id":"b"}', '{"y":{}}', '{"msg":"no id"}', '{"request_id":"c"}'].join('\n');
    expect(scan(text).map(r => r.id ?? 'parse')).toEqual(['a', 'parse', 'b', 'parse', 'parse', 'c']);
  });

  test('a renamed field is looked for under its name', () => {
    expect(scan('{"reqId":"r1","request_id":"ignored"}\n', 'reqId')).toEqual([{ id: 'r1', line: undefined }]);
  });
});
