export * from './csrf';
export * from './html';
export * from './pages';
export * from './scope-descriptions';
