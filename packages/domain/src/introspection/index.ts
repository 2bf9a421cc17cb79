export * from './introspection.record';
