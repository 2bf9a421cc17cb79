import { parseIp, samePrefix, type IpAddress } from './ip-address';

/** An address block: `10.0.0.0/8`, `fc00::/7`; a bare address is a /32 or /128. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
  /** As written, for messages. */
  readonly text: string;
}

export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { family: ip.family, bytes: ip.bytes, prefix, text };
}

/** For tables of constants: a typo is a bug, not input. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`bad CIDR constant ${text}`);
  return parsed;
}

export function cidrContains(block: Cidr, ip: IpAddress): boolean {
  return block.family === ip.family && samePrefix(block.bytes, ip.bytes, block.prefix);
}
