export * from './htu';
export * from './dpop-proof';
export * from './dpop-nonce';
