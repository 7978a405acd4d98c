'use strict';
/** End-to-end tests against a real Jaeger and a real OpenTelemetry Collector built from source. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  maxWorkers: 1,
  testTimeout: 180000,
};
