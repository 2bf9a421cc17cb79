import { paramRecord } from './param-record';

describe('paramRecord', () => {
  it('reaches nothing of Object.prototype', () => {
    const record = paramRecord<string>();
    expect(record['toString']).toBeUndefined();
    expect(record['constructor']).toBeUndefined();
    expect(record['hasOwnProperty']).toBeUndefined();
    expect('valueOf' in record).toBe(false);
  });

  it('takes __proto__ and constructor as ordinary parameters, without touching any prototype', () => {
    const record = paramRecord<string>();
    record['__proto__'] = 'x';
    record['constructor'] = 'y';
    expect(Object.keys(record)).toEqual(['__proto__', 'constructor']);
    expect(record['__proto__']).toBe('x');
    expect(Object.getPrototypeOf(Object.getPrototypeOf(record))).toBeNull();
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
    expect(JSON.stringify(record)).toBe('{"__proto__":"x","constructor":"y"}');
  });

  it('gives a new object each time', () => {
    const a = paramRecord<string>();
    a['k'] = 'v';
    expect(paramRecord<string>()['k']).toBeUndefined();
  });
});
