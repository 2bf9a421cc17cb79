import { basic, BATCH_JOB, expectJsonError, FORM, ONE_MB, send } from './bad-input.support';

/** Where each form endpoint is served (in the distributed mode /introspect has its own origin). */
export interface FormEndpoints {
  readonly token: () => string;
  readonly revoke: () => string;
  readonly introspect: () => string;
  /** Wraps each request: the embedded suite checks that nothing is written. */
  readonly around?: <T>(body: () => Promise<T>) => Promise<T>;
}

const AUTH = { authorization: basic(BATCH_JOB.id, BATCH_JOB.secret) };

/** Each endpoint with a request that is fine but for what a row breaks. */
const ENDPOINTS = [
  ['/token', 'grant_type=client_credentials'],
  ['/revoke', 'token=at_unknown'],
  ['/introspect', 'token=at_unknown'],
] as const;

type Row = readonly [
  what: string,
  request: (valid: string) => {
    readonly method?: string;
    readonly query?: string;
    readonly type?: string;
    readonly body?: string | Buffer;
  },
  status: number,
  description: string | RegExp,
];

const FORM_415 =
  'unsupported content type: the request body must be application/x-www-form-urlencoded';

/** One body policy, one table (issue #13, section 4 and defects 7-10). */
const ROWS: readonly Row[] = [
  ['a JSON body', () => ({ type: 'application/json', body: '{"token":"x"}' }), 415, FORM_415],
  ['malformed JSON', () => ({ type: 'application/json', body: '{"token":' }), 415, FORM_415],
  ['a form sent as text/plain', (v) => ({ type: 'text/plain', body: v }), 415, FORM_415],
  ['multipart', () => ({ type: 'multipart/form-data; boundary=x', body: '--x--' }), 415, FORM_415],
  ['an unknown content type', (v) => ({ type: 'application/x-weird', body: v }), 415, FORM_415],
  [
    'a form in UTF-16',
    (v) => ({ type: `${FORM}; charset=utf-16`, body: v }),
    400,
    'the form must be encoded in UTF-8 (charset=utf-8, or no charset)',
  ],
  [
    'a form that is not UTF-8',
    (v) => ({ body: Buffer.concat([Buffer.from(`${v}&x=`), Buffer.from([0xc0, 0xaf])]) }),
    400,
    'the form is not valid UTF-8',
  ],
  [
    'an escape that is not UTF-8',
    (v) => ({ body: `${v}&x=%C0%AF` }),
    400,
    'the form is not valid percent-encoded UTF-8',
  ],
  ['a 1 MB form', (v) => ({ body: `${v}&x=${'a'.repeat(ONE_MB)}` }), 413, 'request body too large'],
  [
    'parameters in the query',
    (v) => ({ query: v, body: v }),
    400,
    'parameters must be sent in the request body, not in the query string',
  ],
  [
    'a bracketed parameter name',
    (v) => ({ body: `${v}&scope[a]=x` }),
    400,
    'a parameter name may only contain letters, digits, hyphens, periods and underscores',
  ],
  [
    'a __proto__[admin] parameter',
    (v) => ({ body: `${v}&__proto__[admin]=1` }),
    400,
    'a parameter name may only contain letters, digits, hyphens, periods and underscores',
  ],
  [
    'a repeated parameter',
    (v) => ({ body: `${v}&${v}` }),
    400,
    /^parameter (grant_type|token) must not be repeated$/,
  ],
];

/**
 * The same bad bodies at every form endpoint that answers JSON, whether
 * Nest serves it or node:http does (/introspect): the same status, the
 * same error, the same words.
 */
export function formEndpointsSuite(endpoints: FormEndpoints): void {
  const around = endpoints.around ?? (<T>(body: () => Promise<T>) => body());
  const base = {
    '/token': endpoints.token,
    '/revoke': endpoints.revoke,
    '/introspect': endpoints.introspect,
  };

  describe.each(ENDPOINTS)('%s', (path, valid) => {
    it('accepts the valid request (the baseline every row breaks)', async () => {
      const res = await send(base[path](), path, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': FORM },
        body: valid,
      });
      expect(res.status).toBe(200);
    });

    it.each(ROWS)('%s', async (_, build, status, description) => {
      const r = build(valid);
      await around(async () => {
        const res = await send(
          base[path](),
          `${path}${r.query === undefined ? '' : `?${r.query}`}`,
          {
            method: r.method ?? 'POST',
            headers: { ...AUTH, 'content-type': r.type ?? FORM },
            ...(r.body === undefined ? {} : { body: r.body }),
          },
        );
        expectJsonError(res, status, 'invalid_request', { description });
      });
    });

    it.each(['GET', 'PUT', 'DELETE'])('%s is 405 with Allow: POST', async (method) => {
      const res = await send(base[path](), path, { method, headers: AUTH });
      expectJsonError(res, 405, 'invalid_request', { description: 'method not allowed' });
      expect(res.headers.get('allow')).toBe('POST');
    });
  });
}
