/* global jest */
// Jest reads `testTimeout` only from the root config, not per project; integration
// tests start brokers and databases, so they get a longer limit here.
jest.setTimeout(120_000);
