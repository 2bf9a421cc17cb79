export * from './keyed-hash';
export * from './opaque-token';
export * from './token-keys';
export * from './signing-keys';
export * from './tokens';
export * from './password';
