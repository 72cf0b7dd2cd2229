/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/docs/examples'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
  },
  setupFiles: ['reflect-metadata', '<rootDir>/test/support/quiet-sdk.ts'],
  // The page serves the browser build of src/client: build it once per run.
  globalSetup: '<rootDir>/scripts/build-client.js',
  testTimeout: 20000,
  maxWorkers: 2,
};
