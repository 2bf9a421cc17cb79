export * from './resource.decider';
export { checkEncryptionKeys, checkResourceUri, MAX_RESOURCE_KEYS } from './resource.rules';
export * from './resource-indicators';
