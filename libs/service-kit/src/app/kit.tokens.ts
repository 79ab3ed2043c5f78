/** Injection token of the validated `ServiceConfig`. */
export const SERVICE_CONFIG = Symbol('fulfil:service-config');
/** Injection token of the `ServiceDefinition` being run. */
export const SERVICE_DEFINITION = Symbol('fulfil:service-definition');
/** Injection token of the service's root pino `Logger`. */
export const SERVICE_LOGGER = Symbol('fulfil:service-logger');
/** Injection token of the kafkajs `Kafka` client (brokers and client id from config). */
export const KAFKA_CLIENT = Symbol('fulfil:kafka-client');
/** Injection token of the kafkajs `Admin` used by readiness. */
export const KAFKA_ADMIN = Symbol('fulfil:kafka-admin');
