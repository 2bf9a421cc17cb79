import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies documented defaults and per-app overrides', () => {
    const config = loadConfig({}, { PORT: '3002' });
    expect(config.PORT).toBe(3002);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.ISSUER).toBe('http://localhost:3000');
  });

  it('lets the environment win over app defaults and parses lists', () => {
    const config = loadConfig({ PORT: '4000', KAFKA_BROKERS: 'a:1, b:2,' }, { PORT: '3002' });
    expect(config.PORT).toBe(4000);
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });

  it('lists every invalid setting at once', () => {
    const load = () => loadConfig({ PORT: 'x', ISSUER: 'not a url', KEY_ENCRYPTION_KEY: 'short' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/PORT[\s\S]*ISSUER[\s\S]*KEY_ENCRYPTION_KEY/);
  });

  it('requires a port', () => {
    expect(() => loadConfig({})).toThrow(/PORT/);
  });
});
