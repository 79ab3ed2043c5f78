export * from './topics';
export * from './services';
export * from './events';
export * from './envelope';
export { buildAsyncApiDocument, contractJsonSchema, messageKey } from './asyncapi/build-asyncapi';
