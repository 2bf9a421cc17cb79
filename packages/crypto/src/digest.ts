import { hash } from 'node:crypto';

/** SHA-256 of a string (UTF-8) or of bytes. */
export function sha256(data: string | Uint8Array): Buffer {
  return hash('sha256', data, 'buffer');
}

/** SHA-256 as base64url: ids derived from unbounded or sensitive values. */
export function sha256Base64url(data: string | Uint8Array): string {
  return hash('sha256', data, 'base64url');
}
