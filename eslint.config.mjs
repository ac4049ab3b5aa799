// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'coverage/**',
      'node_modules/**',
      '.reports/**',
      '.tmp/**',
      '.cache/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Nest resolves constructor parameters from emitted decorator metadata, so classes used
    // only as parameter types must stay value imports there.
    files: ['src/**/*.ts'],
    ignores: ['src/engine/**', 'src/artifact/**', 'src/sklearn/**'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // The engine, the artifact codec and the pickle reader are framework-free and do no I/O.
    files: ['src/engine/**/*.ts', 'src/artifact/**/*.ts', 'src/sklearn/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*'], message: 'The engine layer is framework-free.' },
            {
              group: ['fs', 'node:fs', 'fs/*', 'node:fs/*'],
              message: 'No disk access in the engine layer.',
            },
            {
              group: ['process', 'node:process'],
              message: 'No process access in the engine layer.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process access in the engine layer.' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Randomness flows through a seeded RandomState.',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', '**/__tests__/**/*.ts'],
    rules: {
      // Tests read their fixtures from disk, including the engine's.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
