import { Kafka, logLevel } from 'kafkajs';
import { BROKERS } from '../kafka.test-support';
import { kafkaSecurityConfig } from './kafka-security';

/** The test broker listens in plaintext: TLS from kafkaSecurityConfig must really be attempted. */
describe('kafkaSecurityConfig against the real (plaintext) broker', () => {
  const connect = async (tls: boolean) => {
    const admin = new Kafka({
      brokers: BROKERS,
      clientId: 'kafka-security-int',
      connectionTimeout: 2_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
      ...kafkaSecurityConfig({ tls }),
    }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  };

  it('KAFKA_SSL=true speaks TLS: a plaintext listener fails the handshake', async () => {
    await expect(connect(true)).rejects.toThrow();
  });

  it('KAFKA_SSL=false connects in plaintext', async () => {
    await expect(connect(false)).resolves.toBeUndefined();
  });
});
