import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { adminOpenApiDocument, adminOperations } from '@idp/contracts';
import { AuthApiModule } from '../auth-api.module';

/** The validator is an ES module: it runs in a child node, given the document on stdin. */
function validate(document: object): { valid: boolean; errors?: unknown } {
  const script = `
    import { readFileSync } from 'node:fs';
    import { Validator } from '@seriousme/openapi-schema-validator';
    const result = await new Validator().validate(JSON.parse(readFileSync(0, 'utf8')));
    process.stdout.write(JSON.stringify(result));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(document),
    cwd: __dirname,
  });
  return JSON.parse(out.toString()) as { valid: boolean; errors?: unknown };
}

type Handler = (...args: unknown[]) => unknown;

/** Every route the controllers of AuthApiModule register under /admin, as `get /admin/users/{sub}`. */
function adminRoutes(): string[] {
  const controllers = (Reflect.getMetadata('controllers', AuthApiModule) ?? []) as (new (
    ...args: never[]
  ) => object)[];
  const routes: string[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata('path', controller) ?? '');
    const proto = controller.prototype as Record<string, Handler>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      // Only plain methods: reading an accessor (a lazy RPC client) would run it.
      const handler = Object.getOwnPropertyDescriptor(proto, name)?.value as Handler | undefined;
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const path = Reflect.getMetadata('path', handler) as string | undefined;
      const method = Reflect.getMetadata('method', handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue;
      const full = `/${base}/${path}`
        .replace(/\/+/g, '/')
        .replace(/(.)\/$/, '$1')
        .replace(/:([A-Za-z_]+)/g, '{$1}');
      if (full.startsWith('/admin')) routes.push(`${RequestMethod[method].toLowerCase()} ${full}`);
    }
  }
  return routes.sort();
}

describe('the admin API OpenAPI document (ADR 0017)', () => {
  const document = adminOpenApiDocument();

  it('is a valid OpenAPI 3.1 document', () => {
    const result = validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('documents every admin route the controllers register, and nothing else', () => {
    const routes = adminRoutes();
    expect(routes.length).toBeGreaterThan(15);
    const documented = adminOperations.map((op) => `${op.method} ${op.path}`).sort();
    expect(documented).toEqual(routes);
    const paths = document['paths'] as Record<string, Record<string, unknown>>;
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      expect([route, paths[path]?.[method] !== undefined]).toEqual([route, true]);
    }
  });

  it('requires a bearer credential on every operation but the document itself', () => {
    const schemes = (document['components'] as { securitySchemes: Record<string, unknown> })
      .securitySchemes;
    expect(schemes).toMatchObject({
      adminToken: { type: 'http', scheme: 'bearer' },
      accessToken: { type: 'http', scheme: 'bearer' },
    });
    for (const op of adminOperations) {
      const operation = (
        document['paths'] as Record<string, Record<string, { security: unknown }>>
      )[op.path]![op.method]!;
      const scope = op.method === 'get' || op.readOnly ? 'idp:admin.read' : 'idp:admin';
      expect([op.path, operation.security]).toEqual([
        op.path,
        op.anonymous ? [] : [{ adminToken: [] }, { accessToken: [scope] }],
      ]);
    }
  });

  it('shows request bodies from the validating schemas (a field the controller checks is there)', () => {
    interface JsonSchemaOf {
      properties: Record<string, unknown>;
      required?: string[];
      additionalProperties?: boolean;
    }
    type Operation = {
      requestBody: { content: { 'application/json': { schema: JsonSchemaOf } } };
    };
    const body = (path: string, method: string) =>
      (document['paths'] as Record<string, Record<string, Operation>>)[path]![method]!.requestBody
        .content['application/json'].schema;
    expect(body('/admin/clients', 'post').properties.client_secret).toMatchObject({
      type: 'string',
      minLength: 32,
    });
    expect(body('/admin/users', 'post')).toMatchObject({
      required: expect.arrayContaining(['username', 'password']),
      additionalProperties: false,
    });
  });
});
