export * from './defaults';
export * from './load-config';
export * from './config-docs';
export { SECRET_SETTINGS, resolveSecretFiles, type ReadSecretFile } from './secret-files';
export type { TrustedIssuer } from './token-exchange-settings';
