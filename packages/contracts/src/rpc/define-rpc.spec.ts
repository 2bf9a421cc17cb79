import { z } from 'zod';
import { defineRpc, rpcPath, type RpcClient, type RpcHandlers } from './define-rpc';

const token = defineRpc({
  service: 'token',
  methods: {
    issueTokens: {
      request: z.object({ clientId: z.string(), scope: z.string().trim().default('openid') }),
      response: z.object({ accessToken: z.string(), expiresIn: z.number().int() }),
    },
  },
});

describe('defineRpc', () => {
  it('keeps the service name and methods, frozen', () => {
    expect(token.service).toBe('token');
    expect(Object.keys(token.methods)).toEqual(['issueTokens']);
    expect(Object.isFrozen(token.methods)).toBe(true);
    expect(rpcPath('token', 'issueTokens')).toBe('/idp.token/issueTokens');
  });

  it('refuses names that cannot be gRPC paths, and the names a client reserves', () => {
    const m = { request: z.object({}), response: z.object({}) };
    expect(() => defineRpc({ service: 'to ken', methods: { a: m } })).toThrow(/service name/);
    expect(() => defineRpc({ service: 'token', methods: { 'a/b': m } })).toThrow(/method name/);
    expect(() => defineRpc({ service: 'token', methods: { close: m } })).toThrow(/method name/);
    expect(() => defineRpc({ service: 'token', methods: { then: m } })).toThrow(/method name/);
  });

  it('types clients with schema inputs and handlers with schema outputs', () => {
    // Compile-time checks (tsc over the specs); at runtime only that they exist.
    type Issue = RpcClient<typeof token>['issueTokens'];
    const request: Parameters<Issue>[0] = { clientId: 'rp' }; // scope has a default: optional here
    type Handle = RpcHandlers<typeof token>['issueTokens'];
    const handled: Parameters<Handle>[0] = { clientId: 'rp', scope: 'openid' }; // and required here
    // @ts-expect-error the handler always sees the defaulted scope
    const missing: Parameters<Handle>[0] = { clientId: 'rp' };
    expect([request, handled, missing]).toHaveLength(3);
  });

  it('rejects at compile time schemas whose output is not JSON or does not parse again', () => {
    const bad = () =>
      defineRpc({
        service: 'bad',
        methods: {
          // @ts-expect-error a Date does not survive JSON
          when: { request: z.object({ at: z.date() }), response: z.object({}) },
          // @ts-expect-error string → number transform: the receiver would parse a number as a string
          len: { request: z.string().transform((s) => s.length), response: z.object({}) },
        },
      });
    expect(bad).not.toThrow();
  });
});
