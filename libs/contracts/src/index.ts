export * from './topics';
export * from './services';
