import {
  badInputProvider,
  CODE_CHALLENGE,
  expectHtmlError,
  expectJsonError,
  expectRedirectError,
  FORM,
  ONE_MB,
  postForm,
  rawRequest,
  REDIRECT_URI,
  send,
  sendRaw,
} from './bad-input.support';

/** A valid code request of web-opaque; tests add to it or break it. */
const VALID: Readonly<Record<string, string>> = {
  client_id: 'web-opaque',
  redirect_uri: REDIRECT_URI,
  response_type: 'code',
  scope: 'openid',
  state: 'st-1',
  code_challenge: CODE_CHALLENGE,
  code_challenge_method: 'S256',
};

const query = (params: Record<string, string>, extra = ''): string =>
  `/authorize?${new URLSearchParams(params).toString()}${extra}`;
const without = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(VALID).filter(([k]) => k !== name));

/**
 * /authorize (RFC 6749 3.1 and 4.1.2.1, OIDC Core 3.1.2): before client_id
 * and redirect_uri are trusted, every error is our HTML page (never a
 * redirect); after, it goes back to the client with state and iss. Anything
 * malformed in the parameters themselves (repeats, lengths, types) is
 * refused before anything is trusted, so it is a page too.
 */
describe('bad input: /authorize', () => {
  const { provider, writesNothing } = badInputProvider();
  const base = () => provider().base;

  it('starts an interaction for the valid request (the baseline every case breaks)', async () => {
    await writesNothing(async () => {
      const res = await send(base(), query(VALID));
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/\/interaction\/[A-Za-z0-9_-]{22}$/);
    });
  });

  describe('errors shown on our page (nothing trusted yet)', () => {
    it.each([
      ['no parameters at all', '/authorize', 'invalid_request', 'client_id'],
      ['a missing client_id', query(without('client_id')), 'invalid_request', 'client_id'],
      ['an empty client_id', query({ ...VALID, client_id: '' }), 'invalid_request', 'client_id'],
      ['an unknown client_id', query({ ...VALID, client_id: 'nope' }), 'invalid_client', undefined],
      [
        'a client_id with %00',
        query({ ...VALID, client_id: 'web-opaque\u0000' }),
        'invalid_client',
        undefined,
      ],
      [
        'a client_id in non-UTF-8 bytes',
        query(without('client_id'), '&client_id=%ff%fe'),
        'invalid_request',
        'the query string is not valid percent-encoded UTF-8',
      ],
      [
        'a state that is not UTF-8 (issue #13, defect 11)',
        query(VALID, '&x=1').replace('state=st-1', 'state=%C0%AF'),
        'invalid_request',
        'the query string is not valid percent-encoded UTF-8',
      ],
      [
        'a client_id of another case',
        query({ ...VALID, client_id: 'WEB-OPAQUE' }),
        'invalid_client',
        undefined,
      ],
      [
        'a missing redirect_uri (OpenID request)',
        query(without('redirect_uri')),
        'invalid_redirect_uri',
        'redirect_uri',
      ],
      [
        'an unregistered redirect_uri',
        query({ ...VALID, redirect_uri: 'https://evil.example/cb' }),
        'invalid_redirect_uri',
        undefined,
      ],
      [
        'a redirect_uri with %00',
        query({ ...VALID, redirect_uri: `${REDIRECT_URI}\u0000` }),
        'invalid_redirect_uri',
        undefined,
      ],
      [
        'a redirect_uri with a trailing slash',
        query({ ...VALID, redirect_uri: `${REDIRECT_URI}/` }),
        'invalid_redirect_uri',
        undefined,
      ],
      [
        'a redirect_uri of another case',
        query({ ...VALID, redirect_uri: REDIRECT_URI.toUpperCase() }),
        'invalid_redirect_uri',
        undefined,
      ],
      [
        'a redirect_uri with an extra query',
        query({ ...VALID, redirect_uri: `${REDIRECT_URI}?next=https://evil.example` }),
        'invalid_redirect_uri',
        undefined,
      ],
      [
        'a 2 000-character redirect_uri',
        query({ ...VALID, redirect_uri: `${REDIRECT_URI}/${'a'.repeat(1970)}` }),
        'invalid_redirect_uri',
        undefined,
      ],
      [
        'a 10 000-character redirect_uri',
        query({ ...VALID, redirect_uri: `${REDIRECT_URI}/${'a'.repeat(10_000)}` }),
        'invalid_request',
        'redirect_uri must not exceed 2048 characters',
      ],
      [
        'a 10 000-character state',
        query({ ...VALID, state: 's'.repeat(10_000) }),
        'invalid_request',
        'state must not exceed 2048 characters',
      ],
      [
        'a 10 000-character id_token_hint',
        query({ ...VALID, id_token_hint: 'h'.repeat(10_000) }),
        'invalid_request',
        'id_token_hint must not exceed 8192 characters',
      ],
      [
        'a repeated client_id',
        query(VALID, '&client_id=web-opaque'),
        'invalid_request',
        'client_id must not be repeated',
      ],
      [
        'a repeated client_id (another client)',
        query(VALID, '&client_id=spa'),
        'invalid_request',
        'client_id must not be repeated',
      ],
      [
        'a repeated redirect_uri',
        query(VALID, `&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`),
        'invalid_request',
        'redirect_uri must not be repeated',
      ],
      [
        'a repeated response_type',
        query(VALID, '&response_type=code'),
        'invalid_request',
        'response_type must not be repeated',
      ],
      [
        'a repeated scope',
        query(VALID, '&scope=openid'),
        'invalid_request',
        'scope must not be repeated',
      ],
      [
        'a repeated state',
        query(VALID, '&state=st-2'),
        'invalid_request',
        'state must not be repeated',
      ],
      [
        'a repeated code_challenge',
        query(VALID, `&code_challenge=${CODE_CHALLENGE}`),
        'invalid_request',
        'code_challenge must not be repeated',
      ],
      [
        'a repeated nonce',
        query(VALID, '&nonce=a&nonce=b'),
        'invalid_request',
        'nonce must not be repeated',
      ],
      [
        'an array-style parameter',
        query(VALID, '&prompt[]=login&prompt[]=consent'),
        'invalid_request',
        'a parameter name may only contain letters, digits, hyphens, periods and underscores',
      ],
    ])('GET with %s', async (_, path, error, text) => {
      await writesNothing(async () => {
        expectHtmlError(await send(base(), path), 400, error, text);
      });
    });

    it('ignores an empty repeat (RFC 6749 3.1: no value = omitted)', async () => {
      await writesNothing(async () => {
        const res = await send(base(), query(VALID, '&state='));
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toMatch(/\/interaction\//);
      });
    });

    it.each([
      // One body policy (issue #13): every media type but a form is 415, before it is parsed.
      ['a JSON body', 'application/json', JSON.stringify(VALID), 415],
      ['a text/plain body', 'text/plain', new URLSearchParams(VALID).toString(), 415],
      ['no content type', undefined, undefined, 400],
    ])('POST with %s is refused on the page', async (_, type, body, status) => {
      await writesNothing(async () => {
        const res = await send(base(), '/authorize', {
          method: 'POST',
          headers: type === undefined ? {} : { 'content-type': type },
          ...(body === undefined ? {} : { body }),
        });
        expectHtmlError(res, status, 'invalid_request', 'application/x-www-form-urlencoded');
      });
    });

    it.each([
      [
        'a repeated client_id',
        `${new URLSearchParams(VALID).toString()}&client_id=spa`,
        'invalid_request',
      ],
      [
        'a client_id with %00',
        new URLSearchParams({ ...VALID, client_id: 'web-opaque\u0000' }).toString(),
        'invalid_client',
      ],
      [
        'a very long redirect_uri',
        new URLSearchParams({
          ...VALID,
          redirect_uri: `${REDIRECT_URI}/${'a'.repeat(10_000)}`,
        }).toString(),
        'invalid_request',
      ],
      [
        '%-encoding that is not UTF-8',
        `${new URLSearchParams(without('client_id')).toString()}&client_id=%ff%fe`,
        'invalid_request',
      ],
      [
        'raw non-UTF-8 bytes',
        Buffer.concat([
          Buffer.from(`${new URLSearchParams(without('client_id')).toString()}&client_id=`),
          Buffer.from([0xff, 0xfe, 0x00]),
        ]),
        'invalid_request',
      ],
      [
        'broken %-encoding',
        `${new URLSearchParams(without('client_id')).toString()}&client_id=%zz%`,
        'invalid_client',
      ],
    ])('POST form with %s', async (_, body, error) => {
      await writesNothing(async () => {
        expectHtmlError(await postForm(base(), '/authorize', body), 400, error);
      });
    });

    it('refuses raw non-ASCII bytes on the request line before routing (JSON: no route, no page)', async () => {
      await writesNothing(async () => {
        const line = Buffer.concat([
          Buffer.from('GET /authorize?client_id='),
          Buffer.from([0xff, 0xfe]),
          Buffer.from(' HTTP/1.1'),
        ]);
        expectJsonError(await sendRaw(base(), rawRequest(line)), 400, 'invalid_request');
      });
    });

    it('answers a 1 MB query string with 431', async () => {
      await writesNothing(async () => {
        const res = await sendRaw(
          base(),
          rawRequest(`GET ${query({ ...VALID, state: 's'.repeat(ONE_MB) })} HTTP/1.1`),
        );
        expectJsonError(res, 431, 'invalid_request');
      });
    });
  });

  describe('what the framework refuses before the handler (POST /authorize)', () => {
    // A browser sent here gets our HTML error page, whatever the framework refused.
    it.each([
      [
        'a 1 MB form body',
        FORM,
        `${new URLSearchParams(VALID).toString()}&x=${'a'.repeat(ONE_MB)}`,
        413,
      ],
      ['an unknown content type', 'application/x-weird', 'client_id=web-opaque', 415],
      ['malformed JSON', 'application/json', '{"client_id":', 415],
    ])('answers %s with the HTML error page', async (_, type, body, status) => {
      const res = await send(base(), '/authorize', {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      expectHtmlError(res, status, 'invalid_request');
    });

    it.each([
      [
        'a 1 MB form body',
        FORM,
        `${new URLSearchParams(VALID).toString()}&x=${'a'.repeat(ONE_MB)}`,
        413,
      ],
      ['an unknown content type', 'application/x-weird', 'client_id=web-opaque', 415],
      ['malformed JSON', 'application/json', '{"client_id":', 415],
    ])('still answers %s with a 4xx, no stack, nothing written', async (_, type, body, status) => {
      await writesNothing(async () => {
        const res = await send(base(), '/authorize', {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        });
        expect(res.status).toBe(status);
        expect(res.headers.get('location')).toBeNull();
        expect(res.text).not.toMatch(/FST_|Error:|\bat /);
      });
    });
  });

  describe('errors sent back to the client (redirect_uri trusted)', () => {
    it.each([
      ['a missing response_type', without('response_type'), 'invalid_request'],
      [
        'an unknown response_type',
        { ...VALID, response_type: 'magic' },
        'unsupported_response_type',
      ],
      [
        'a response_type with %00',
        { ...VALID, response_type: 'code\u0000' },
        'unsupported_response_type',
      ],
      [
        'an unregistered response_type',
        { ...VALID, response_type: 'id_token', nonce: 'n' },
        'unauthorized_client',
      ],
      ['an unknown response_mode', { ...VALID, response_mode: 'telepathy' }, 'invalid_request'],
      ['PKCE plain', { ...VALID, code_challenge_method: 'plain' }, 'invalid_request'],
      ['an unknown PKCE method', { ...VALID, code_challenge_method: 'S512' }, 'invalid_request'],
      ['a malformed code_challenge', { ...VALID, code_challenge: 'short' }, 'invalid_request'],
      ['a code_challenge_method alone', without('code_challenge'), 'invalid_request'],
      ['an unknown prompt', { ...VALID, prompt: 'maybe' }, 'invalid_request'],
      ['prompt none with login', { ...VALID, prompt: 'none login' }, 'invalid_request'],
      ['a negative max_age', { ...VALID, max_age: '-1' }, 'invalid_request'],
      ['a non-numeric max_age', { ...VALID, max_age: '1e3' }, 'invalid_request'],
      ['a huge max_age', { ...VALID, max_age: '9'.repeat(40) }, 'invalid_request'],
      [
        'an unsigned request object',
        { ...VALID, request: 'eyJhbGciOiJub25lIn0.e30.' },
        'invalid_request_object',
      ],
      [
        'a request_uri the client did not register',
        { ...VALID, request_uri: 'https://evil.example/r' },
        'request_uri_not_supported',
      ],
      ['a registration parameter', { ...VALID, registration: '{}' }, 'registration_not_supported'],
      ['prompt=none without a session', { ...VALID, prompt: 'none' }, 'login_required'],
    ])('GET with %s', async (_, params, error) => {
      await writesNothing(async () => {
        expectRedirectError(await send(base(), query(params)), base(), error, VALID.state);
      });
    });

    it('a public client without PKCE', async () => {
      await writesNothing(async () => {
        const spa = { ...without('code_challenge'), client_id: 'spa' };
        delete (spa as Record<string, string>)['code_challenge_method'];
        expectRedirectError(await send(base(), query(spa)), base(), 'invalid_request', 'st-1');
      });
    });

    it('without a state, the error carries none', async () => {
      await writesNothing(async () => {
        const res = await send(base(), query({ ...without('state'), response_type: 'magic' }));
        expectRedirectError(res, base(), 'unsupported_response_type', undefined);
      });
    });

    it('POST form errors after the redirect_uri check go back to the client too', async () => {
      await writesNothing(async () => {
        const body = new URLSearchParams({ ...VALID, prompt: 'maybe' }).toString();
        expectRedirectError(
          await postForm(base(), '/authorize', body),
          base(),
          'invalid_request',
          'st-1',
        );
      });
    });
  });
});
