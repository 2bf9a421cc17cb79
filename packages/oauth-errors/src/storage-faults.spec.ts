import { InvalidGrant } from './errors';
import { renderOAuthError, toWire } from './render';
import { isConnectionFault, storageFaultKind, StorageUnavailable } from './storage-faults';

/** Shaped like what node-postgres, TypeORM and better-sqlite3 throw. */
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const queryFailed = (driverError: Error) =>
  Object.assign(new Error(driverError.message), { name: 'QueryFailedError', driverError });

describe('storageFaultKind', () => {
  it.each([
    ['FATAL 57P01 (pg_terminate_backend, a failover)', withCode('terminating connection', '57P01')],
    ['57P02 crash shutdown', withCode('terminating connection', '57P02')],
    ['57P03 cannot connect now', withCode('the database system is starting up', '57P03')],
    ['08006 connection failure', withCode('connection failure', '08006')],
    ['a reset socket', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a refused connection', withCode('connect ECONNREFUSED 10.0.0.3:5432', 'ECONNREFUSED')],
    ['a lost socket, in words only', new Error('Connection terminated unexpectedly')],
    [
      'a dead client handed out again',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    [
      'a runner released under its user',
      Object.assign(new Error('Query runner already released'), {
        name: 'QueryRunnerAlreadyReleasedError',
      }),
    ],
    ['a fault wrapped by TypeORM', queryFailed(withCode('terminating connection', '57P01'))],
    [
      'a fault as the cause of another error',
      new Error('append failed', { cause: withCode('x', 'ECONNRESET') }),
    ],
  ])('%s is a connection fault', (_what, err) => {
    expect(storageFaultKind(err)).toBe('connection');
    expect(isConnectionFault(err)).toBe(true);
  });

  it.each([
    ['SQLite busy', withCode('database is locked', 'SQLITE_BUSY')],
    ['SQLite busy snapshot', withCode('database is locked', 'SQLITE_BUSY_SNAPSHOT')],
    ['no free pooled connection in time', new Error('timeout exceeded when trying to connect')],
    ['too many connections', queryFailed(withCode('too many clients already', '53300'))],
  ])('%s is a busy database, not a lost connection', (_what, err) => {
    expect(storageFaultKind(err)).toBe('busy');
    expect(isConnectionFault(err)).toBe(false);
  });

  it.each([
    ['a unique violation', queryFailed(withCode('duplicate key', '23505'))],
    ['a syntax error', queryFailed(withCode('syntax error', '42601'))],
    ['a plain error that only mentions a socket', new Error('connect ECONNREFUSED 10.0.0.3:5432')],
    ['not an error at all', 'Connection terminated unexpectedly'],
    ['nothing', undefined],
  ])('%s is not a storage fault', (_what, err) => {
    expect(storageFaultKind(err)).toBeUndefined();
  });
});

describe('rendering a storage fault', () => {
  it('is 503 temporarily_unavailable with Retry-After, never server_error, and says nothing of the database', () => {
    const r = renderOAuthError(
      queryFailed(withCode('terminating connection due to administrator command', '57P01')),
    );
    expect(r.status).toBe(503);
    expect(r.body.error).toBe('temporarily_unavailable');
    expect(r.headers['Retry-After']).toMatch(/^[1-9][0-9]*$/);
    expect(JSON.stringify(r.body)).not.toMatch(/terminating|administrator|57P01/);
    expect(r.cause).toBeInstanceOf(Error);
  });

  it('crosses RPC as the same 503 with its Retry-After', () => {
    const wire = toWire(withCode('read ECONNRESET', 'ECONNRESET'));
    expect(wire).toMatchObject({ error: 'temporarily_unavailable', status: 503 });
    expect(wire.headers?.['Retry-After']).toBeDefined();
  });

  it('leaves OAuth errors alone', () => {
    expect(renderOAuthError(new InvalidGrant('used')).status).toBe(400);
    expect(renderOAuthError(new StorageUnavailable()).status).toBe(503);
  });
});
