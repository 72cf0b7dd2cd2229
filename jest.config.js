const { imports } = require('./package.json');

/**
 * `#framework` and the other subpath imports of package.json resolve to their TypeScript sources
 * (the `source` condition) under jest, as they do for tsc (`types`); Node, running `dist/`, takes
 * `default`.
 */
const moduleNameMapper = Object.fromEntries(
  Object.entries(imports).map(([name, target]) => [`^${name}$`, `<rootDir>/${target.source.replace(/^\.\//, '')}`]),
);

/** @type {import('jest').Config} */
module.exports = {
  moduleNameMapper,
  testEnvironment: 'node',
  // src is a root so that `jest --changedSince` / `--findRelatedTests` see which tests a source change touches.
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/docs/examples'],
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
