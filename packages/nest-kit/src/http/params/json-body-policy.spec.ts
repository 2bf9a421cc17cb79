import { checkJsonRequest, firstDuplicateMember } from './json-body-policy';

describe('firstDuplicateMember', () => {
  it('finds a name repeated in one object, at any depth, however it is escaped', () => {
    expect(firstDuplicateMember('{"a":1,"a":2}')).toBe('a');
    expect(firstDuplicateMember('{"x":{"b":[1,{"c":1,"c":2}]}}')).toBe('c');
    expect(firstDuplicateMember('{"a":1,"\\u0061":2}')).toBe('a');
    expect(firstDuplicateMember('[{"a":1},{"a":2}]')).toBeUndefined();
  });

  it('does not mistake values, strings with braces or sibling objects for repeated names', () => {
    expect(firstDuplicateMember('{"a":"a","b":"a"}')).toBeUndefined();
    expect(firstDuplicateMember('{"a":"{\\"a\\":1,","b":{"a":1},"c":{"a":2}}')).toBeUndefined();
    expect(firstDuplicateMember('{"a":[],"b":{},"c":["a","a"]}')).toBeUndefined();
    expect(firstDuplicateMember('{"a":{"a":{"a":1}}}')).toBeUndefined();
  });
});

describe('checkJsonRequest', () => {
  const policy = { limit: 100, refuseQuery: true };
  const status = (url: string, headers: Record<string, string>) => {
    try {
      checkJsonRequest(url, headers, policy);
      return 200;
    } catch (err) {
      return (err as { status: number }).status;
    }
  };

  it('JSON in UTF-8 within the limit, no query', () => {
    expect(status('/x', { 'content-type': 'application/json', 'content-length': '100' })).toBe(200);
    expect(status('/x', { 'content-type': 'Application/JSON; charset="UTF-8"' })).toBe(200);
    expect(status('/x', {})).toBe(200);
    expect(status('/x', { 'content-type': 'application/json', 'content-length': '101' })).toBe(413);
    expect(status('/x', { 'content-type': 'text/json' })).toBe(415);
    expect(status('/x', { 'content-type': 'application/jsonp' })).toBe(415);
    expect(status('/x', { 'content-length': '2' })).toBe(415);
    expect(status('/x', { 'content-type': 'application/json; charset=utf-16' })).toBe(400);
    expect(status('/x?a=1', { 'content-type': 'application/json' })).toBe(400);
  });
});
