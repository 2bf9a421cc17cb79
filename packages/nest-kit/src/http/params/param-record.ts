/**
 * The prototype of `paramRecord()` objects: an object with no prototype of
 * its own, so nothing of Object.prototype (`__proto__`, `constructor`,
 * `toString`) is reachable through a record.
 */
function ParamRecord(): void {}
ParamRecord.prototype = Object.create(null) as object;

/**
 * An empty record for request parameters, keyed by names the client chose.
 * Like `Object.create(null)`, a parameter named `__proto__` or `constructor`
 * is just an own property; unlike it, the object starts in V8's fast mode
 * (`Object.create(null)` starts as a hash table, several hundred ns per
 * object, which showed on the introspection hot path).
 */
export function paramRecord<T>(): Record<string, T> {
  return new (ParamRecord as unknown as new () => Record<string, T>)();
}
