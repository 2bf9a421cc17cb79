import type { IncomingHttpHeaders } from 'node:http';
import { InvalidRequest, OAuthError } from '@idp/oauth-errors';
import { checkQuery, hasBody, tooLarge } from './body-policy';

export const JSON_CONTENT_TYPE = 'application/json';

/**
 * What one JSON endpoint accepts (the Shared Signals API, ADR 0036): the
 * counterpart of `FormPolicy` for `application/json` bodies.
 */
export interface JsonPolicy {
  /** Bytes the body may declare; the app's body limit still bounds a chunked one. */
  readonly limit: number;
  /** Parameters in the query of the request are refused (they belong in the body). */
  readonly refuseQuery?: boolean;
}

const UTF8 = /^"?utf-8"?$/i;

/**
 * What can be decided before a byte of the body is read: the media type
 * (`application/json`, else 415; RFC 8259 8.1: UTF-8, so a charset, if
 * any, must say so), the declared size (413), the query. A request without
 * a body passes: the handler decides whether it needs one.
 */
export function checkJsonRequest(
  url: string,
  headers: IncomingHttpHeaders,
  policy: JsonPolicy,
): void {
  checkQuery(url, policy.refuseQuery === true);
  const type = headers['content-type'];
  if (type === undefined) {
    if (hasBody(headers)) throw unsupportedJson();
    return;
  }
  const [media, ...parameters] = type.split(';');
  if (media?.trim().toLowerCase() !== JSON_CONTENT_TYPE) throw unsupportedJson();
  for (const parameter of parameters) {
    const eq = parameter.indexOf('=');
    const name = parameter
      .slice(0, eq < 0 ? undefined : eq)
      .trim()
      .toLowerCase();
    if (name === 'charset' && !UTF8.test(parameter.slice(eq + 1).trim()))
      throw new InvalidRequest(
        'the JSON body must be encoded in UTF-8 (charset=utf-8, or no charset)',
      );
  }
  if (Number(headers['content-length'] ?? 0) > policy.limit) throw tooLarge();
}

function unsupportedJson(): OAuthError {
  return new OAuthError('invalid_request', {
    status: 415,
    description: `unsupported content type: the request body must be ${JSON_CONTENT_TYPE}`,
  });
}

/**
 * The first member name that appears twice in one object of a JSON text
 * (RFC 8259 4 leaves such a text's meaning to the parser; RFC 7493 2.3
 * forbids it): JSON.parse would keep the last one silently, so two parsers
 * could read two different requests. `text` must already be valid JSON.
 */
export function firstDuplicateMember(text: string): string | undefined {
  // One entry per open container: the names seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (expectName) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        const names = open[open.length - 1] as Set<string>;
        if (names.has(name)) return name;
        names.add(name);
        expectName = false;
      }
      i = end;
    } else if (c === '{') {
      open.push(new Set());
      expectName = true;
    } else if (c === '[') {
      open.push(null);
      expectName = false;
    } else if (c === '}' || c === ']') {
      open.pop();
      expectName = false;
    } else if (c === ',') {
      expectName = open[open.length - 1] instanceof Set;
    }
  }
  return undefined;
}
