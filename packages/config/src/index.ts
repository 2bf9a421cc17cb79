export * from './defaults';
export * from './load-config';
export * from './config-docs';
export { SECRET_SETTINGS, resolveSecretFiles, type ReadSecretFile } from './secret-files';
