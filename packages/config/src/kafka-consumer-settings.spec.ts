import { ConfigError, loadConfig } from './load-config';

describe('Kafka consumer timings', () => {
  it('default to a 10 s session, 3 s heartbeats and a 60 s rebalance', () => {
    const config = loadConfig({}, { PORT: '3001' });
    expect(config.KAFKA_SESSION_TIMEOUT_MS).toBe(10_000);
    expect(config.KAFKA_HEARTBEAT_INTERVAL_MS).toBe(3_000);
    expect(config.KAFKA_REBALANCE_TIMEOUT_MS).toBe(60_000);
  });

  it('are read from the environment', () => {
    const config = loadConfig(
      {
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        KAFKA_HEARTBEAT_INTERVAL_MS: '2000',
        KAFKA_REBALANCE_TIMEOUT_MS: '30000',
      },
      { PORT: '3001' },
    );
    expect(config.KAFKA_SESSION_TIMEOUT_MS).toBe(6_000);
    expect(config.KAFKA_HEARTBEAT_INTERVAL_MS).toBe(2_000);
    expect(config.KAFKA_REBALANCE_TIMEOUT_MS).toBe(30_000);
  });

  it.each([
    ['KAFKA_SESSION_TIMEOUT_MS', '0'],
    ['KAFKA_SESSION_TIMEOUT_MS', 'soon'],
    ['KAFKA_HEARTBEAT_INTERVAL_MS', '-1'],
    ['KAFKA_REBALANCE_TIMEOUT_MS', '999'],
  ])('reject %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value }, { PORT: '3001' })).toThrow(new RegExp(name));
  });

  it('refuse a heartbeat interval that is not below the session timeout', () => {
    const load = () =>
      loadConfig(
        { KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '6000' },
        { PORT: '3001' },
      );
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/KAFKA_HEARTBEAT_INTERVAL_MS: must be below KAFKA_SESSION_TIMEOUT_MS/);
  });
});
