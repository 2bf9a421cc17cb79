import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** How the bus authenticates to a managed or secured Kafka (TLS, SASL). */
export interface KafkaSecurity {
  /** TLS to the brokers; their certificate and host name are always verified. */
  readonly tls?: boolean;
  /** PEM CA bundle for the brokers' certificates; default Node's built-in CAs. */
  readonly caFile?: string;
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
}

/**
 * The `ssl` and `sasl` of a kafkajs client. The CA file is read here, once,
 * so an unreadable file fails the boot with its path instead of a TLS error
 * at the first connect. Never sets rejectUnauthorized: false.
 */
export function kafkaSecurityConfig(
  security: KafkaSecurity,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security.tls) {
    out.ssl = security.caFile ? { ca: [readCa(security.caFile, readFile)] } : true;
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    // kafkajs' SASLOptions is a union keyed by mechanism; all three take username/password.
    out.sasl = { mechanism, username, password } as SASLOptions;
  }
  return out;
}

function readCa(path: string, readFile: (path: string) => string): string {
  let pem: string;
  try {
    pem = readFile(path);
  } catch (err) {
    throw new Error(`cannot read the Kafka CA file ${path}: ${(err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`the Kafka CA file ${path} holds no PEM certificate`);
  }
  return pem;
}
