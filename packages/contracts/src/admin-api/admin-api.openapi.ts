import { z } from 'zod';
import { ADMIN_READ_SCOPE, ADMIN_SCOPE } from '../actor';
import { adminOperations, type AdminOperation } from './admin-api.operations';
import { adminError } from './admin-api.schemas';

type Json = Record<string, unknown>;

/**
 * Definitions shared by the document (recursive ones such as z.json()):
 * each schema's own `$defs` move to components.schemas under a unique name,
 * since a `#/$defs/...` reference resolves against the document's root.
 */
class Definitions {
  readonly schemas: Record<string, Json> = {};
  private next = 0;

  /** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of one zod schema, as requests or answers see it. */
  of(schema: z.ZodType, io: 'input' | 'output'): Json {
    const {
      $schema: _dialect,
      $defs,
      ...rest
    } = z.toJSONSchema(schema, {
      io,
      reused: 'inline',
      unrepresentable: 'any',
    }) as Json & { $defs?: Record<string, Json> };
    if ($defs === undefined) return rest;
    const prefix = `S${this.next++}_`;
    const rename = (value: Json): Json =>
      JSON.parse(
        JSON.stringify(value).replace(
          /"#\/\$defs\/([^"]+)"/g,
          (_, name: string) => `"#/components/schemas/${prefix}${name}"`,
        ),
      ) as Json;
    for (const [name, def] of Object.entries($defs)) this.schemas[prefix + name] = rename(def);
    return rename(rest);
  }
}

const errorAnswer = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function parametersOf(op: AdminOperation, defs: Definitions): Json[] {
  const inPath = [...op.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1, maxLength: 200 },
  }));
  const inQuery = Object.entries(op.query?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema: defs.of(schema as z.ZodType, 'input'),
  }));
  return [...inPath, ...inQuery];
}

function operationOf(op: AdminOperation, defs: Definitions): Json {
  const write = op.method !== 'get';
  return {
    operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string = '') => c.toUpperCase())}`,
    summary: op.summary,
    tags: [op.tag],
    ...(op.anonymous
      ? { security: [] }
      : {
          security: [{ adminToken: [] }, { accessToken: [write ? ADMIN_SCOPE : ADMIN_READ_SCOPE] }],
        }),
    parameters: parametersOf(op, defs),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: defs.of(op.body, 'input') } },
          },
        }
      : {}),
    responses: {
      [String(op.status)]: {
        description: op.status === 204 ? 'Done; no body.' : 'Success.',
        ...(op.response
          ? { content: { 'application/json': { schema: defs.of(op.response, 'output') } } }
          : op.anonymous
            ? { content: { 'application/json': { schema: { type: 'object' } } } }
            : {}),
      },
      ...(op.anonymous
        ? {}
        : {
            '400': errorAnswer('invalid_request (or invalid_client_metadata for client bodies).'),
            '401': errorAnswer(
              'invalid_token: no admin token and no access token with an idp:admin scope.',
            ),
            '403': errorAnswer('insufficient_scope: a write with an idp:admin.read token.'),
            '404': errorAnswer('No such resource.'),
          }),
    },
  };
}

/**
 * The admin API as an OpenAPI 3.1 document, from the schemas auth-api
 * validates with (ADR 0017). Served at GET /admin/openapi.json on the admin
 * listener.
 */
export function adminOpenApiDocument(version = '1'): Json {
  const defs = new Definitions();
  const paths: Record<string, Json> = {};
  for (const op of adminOperations) (paths[op.path] ??= {})[op.method] = operationOf(op, defs);
  const error = defs.of(adminError, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'idp admin API',
      version,
      description:
        'Served on the admin listener only (ADMIN_HOST:ADMIN_PORT). Every call needs the ADMIN_TOKEN or an access token of a client granted idp:admin (read-write) or idp:admin.read (GET only); see docs/operations/admin.md.',
    },
    tags: ['clients', 'users', 'sessions', 'backchannel', 'ssf', 'meta'].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: error, ...defs.schemas },
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The static ADMIN_TOKEN (break-glass; its events name actor admin_token).',
        },
        accessToken: {
          type: 'http',
          scheme: 'bearer',
          description: `An access token (opaque or JWT) issued by this server to a client granted ${ADMIN_SCOPE} or ${ADMIN_READ_SCOPE}, e.g. by client_credentials.`,
        },
      },
    },
  };
}
