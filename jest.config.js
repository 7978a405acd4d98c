'use strict';
/** Unit and integration tests. The end-to-end suite (real Jaeger and Collector) has its own config. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/unit', '<rootDir>/test/integration'],
  testMatch: ['**/*.test.ts'],
  // Integration tests spawn several node processes each; two workers match the 2-core machines.
  maxWorkers: 2,
  testTimeout: 60000,
};
