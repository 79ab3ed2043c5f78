// ESLint 9 flat config for the whole workspace.
//
// Besides the usual recommended rules it enforces the architecture with Nx tags (see
// docs/workspace.md): every project carries exactly one `scope:*` and one `type:*` tag, and
// `@nx/enforce-module-boundaries` keeps the arrows pointing inward. Lint stays syntactic (no
// type-aware rules) so it is fast.
import js from '@eslint/js';
import nxDevkit from '@nx/devkit';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Bounded contexts, one per service (ARCHITECTURE.md). Shared code is `scope:shared`. */
const BOUNDED_CONTEXTS = [
  'orders',
  'inventory',
  'payments',
  'logistics',
  'after-sales',
  'notifications',
];
const SCOPES = [...BOUNDED_CONTEXTS, 'shared'];

/** What each kind of project may depend on in production code. */
const ALLOWED_TYPES = {
  app: ['feature', 'domain', 'data-access', 'contracts', 'util'],
  feature: ['feature', 'domain', 'data-access', 'contracts', 'util'],
  'data-access': ['data-access', 'domain', 'contracts', 'util'],
  domain: ['domain', 'contracts', 'util'],
  contracts: ['contracts', 'util'],
  util: ['util'],
  testing: ['testing', 'tooling', 'data-access', 'contracts', 'util'],
  tooling: ['tooling', 'util'],
};
const TYPES = Object.keys(ALLOWED_TYPES);

/** Pure code (deciders, event and command types) must not reach for infrastructure. */
const INFRASTRUCTURE_PACKAGES = ['@nestjs/*', 'typeorm', 'typeorm/*', 'kafkajs', 'pg', 'pg/*'];

/** Files that belong to a test tier; only they may import `type:testing` libraries. */
const TEST_FILES = [
  '**/*.spec.ts',
  '**/*.int-spec.ts',
  '**/*.e2e-spec.ts',
  '**/e2e/**/*.ts',
  // Test support beside the code (test kits, fixtures): used by tests only.
  '**/src/testing/**/*.ts',
];

/**
 * Builds the dependency constraints. Every `type:*` and `scope:*` tag gets a constraint,
 * so a project is checked on both axes; test files additionally may use `type:testing`.
 */
function depConstraints({ inTestFiles, inBenchmarks = false }) {
  const byType = TYPES.map((type) => {
    const allowed = new Set(ALLOWED_TYPES[type]);
    if (inTestFiles) allowed.add('testing');
    // Benchmarks start throwaway servers (embedded PostgreSQL, the broker) like tests do.
    if (inBenchmarks) allowed.add('tooling');
    const constraint = {
      sourceTag: `type:${type}`,
      onlyDependOnLibsWithTags: [...allowed].map((t) => `type:${t}`),
    };
    if (type === 'domain' || type === 'contracts') {
      constraint.bannedExternalImports = INFRASTRUCTURE_PACKAGES;
    }
    return constraint;
  });
  const byScope = SCOPES.map((scope) => ({
    sourceTag: `scope:${scope}`,
    onlyDependOnLibsWithTags:
      scope === 'shared' ? ['scope:shared'] : [`scope:${scope}`, 'scope:shared'],
  }));
  return [...byType, ...byScope];
}

function boundaries(options) {
  return ['error', { depConstraints: depConstraints(options) }];
}

/**
 * `@nx/enforce-module-boundaries` only reads a cached project graph and silently skips
 * itself when there is none (a fresh clone, CI). Compute the graph here, in-process and
 * without the Nx daemon unless asked for, so the rule always runs on current tags.
 */
async function loadProjectGraph() {
  process.env.NX_DAEMON ??= 'false';
  try {
    return await nxDevkit.createProjectGraphAsync({ exitOnError: false });
  } catch (error) {
    throw new Error(`eslint.config.mjs: could not compute the Nx project graph: ${error.message}`, {
      cause: error,
    });
  }
}

/** Tags are the input of every boundary check: refuse to lint with missing or unknown ones. */
function checkTags(graph) {
  const problems = [];
  for (const node of Object.values(graph.nodes)) {
    const tags = node.data.tags ?? [];
    for (const [axis, known] of [
      ['scope', SCOPES],
      ['type', TYPES],
    ]) {
      const found = tags.filter((tag) => tag.startsWith(`${axis}:`));
      if (found.length !== 1 || !known.includes(found[0].slice(axis.length + 1))) {
        problems.push(
          `${node.name} (${node.data.root}) needs exactly one ${axis}:<${known.join('|')}> tag, has [${found.join(', ')}]`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`Nx project tags are missing or unknown:\n  ${problems.join('\n  ')}`);
  }
}

checkTags(await loadProjectGraph());

export default defineConfig(
  globalIgnores(['**/node_modules/', '**/dist/', '**/.data/', '**/coverage/', '.nx/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries({ inTestFiles: false }) },
  },
  {
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': boundaries({ inTestFiles: true }) },
  },
  {
    files: ['**/bench/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ inTestFiles: true, inBenchmarks: true }),
    },
  },
  {
    // Deciders and other domain code stay free of the framework (STYLE.md, practice 2).
    files: ['services/*/src/domain/**/*.ts', 'libs/*/src/domain/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: INFRASTRUCTURE_PACKAGES,
              message: 'Domain code is pure: no Nest, TypeORM, pg or kafkajs here.',
            },
          ],
        },
      ],
    },
  },
  {
    // Plain Node.js CommonJS files (jest.config.js, tools/).
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  prettier,
);
