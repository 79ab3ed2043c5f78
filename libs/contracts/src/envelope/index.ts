export * from './envelope.error';
export * from './cloudevents-kafka';
