/**
 * Live tests (test/e2e/*.e2e.ts): real Linux kernel stacks in network namespaces, one shim process
 * per member. Run serially: `jest -c jest.e2e.config.js --runInBand` (part of `npm test`).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: false }] },
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
  testTimeout: 90000,
  maxWorkers: 1,
};
