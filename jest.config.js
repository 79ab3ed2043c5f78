// One Jest run for the whole workspace. Test tiers are told apart by file suffix
// (see ../shared/STYLE.md): *.spec.ts are pure and fast, *.int-spec.ts use real
// PostgreSQL/Kafka, e2e/**/*.e2e-spec.ts drive every service.
const { pathsToModuleNameMapper } = require('./tools/jest/paths-to-module-name-mapper');
const { compilerOptions } = require('./tsconfig.base.json');

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};
const shared = {
  rootDir: __dirname,
  transform,
  testEnvironment: 'node',
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, __dirname),
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/.data'],
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,tools,deploy}/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/{libs,services,tools,deploy}/**/*.int-spec.ts',
        '<rootDir>/e2e/**/*.e2e-spec.ts',
      ],
      setupFilesAfterEnv: ['<rootDir>/tools/jest/integration-setup.js'],
    },
  ],
};
