// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Layering rules from STYLE.md: only graph/ talks to Neo4j, only ingest/ and jobs/ talk to BullMQ,
 * api/ to neither; jobs/ runs what privacy/ and changes/ pass it and imports neither.
 */
const restrict = (patterns) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: patterns.map((group) => ({
        group: [group],
        message: `${group} is owned by another layer (see STYLE.md)`,
      })),
    },
  ],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.data/**',
      'neo4j-launcher/**',
      'coverage/**',
      '.venv-ci/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Fastify plugins and handlers are async by contract, with or without an await inside.
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/graph/**', 'src/ingest/**', 'src/jobs/**'],
    rules: restrict(['neo4j-driver', 'bullmq']),
  },
  { files: ['src/graph/**/*.ts'], rules: restrict(['bullmq']) },
  { files: ['src/ingest/**/*.ts'], rules: restrict(['neo4j-driver']) },
  {
    files: ['src/jobs/**/*.ts'],
    rules: restrict(['neo4j-driver', '**/privacy/**', '**/changes/**']),
  },
  { files: ['src/api/**/*.ts'], rules: restrict(['neo4j-driver', 'bullmq', 'ioredis']) },
  prettier,
);
