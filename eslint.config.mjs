// Lint runs in `npm test`. Type-aware rules are left to `tsc --noEmit` (strict) to keep lint fast.
import tseslint from 'typescript-eslint';

/**
 * The direction of dependencies between the top-level parts (docs/ARCHITECTURE.md):
 * schemas ← shared ← {daemon, client, language-server}; client ← {cli, extension}; schemas ← webviews.
 * Each part lists the parts it must not import; a forbidden import fails lint.
 */
const PARTS = ['schemas', 'shared', 'client', 'cli', 'daemon', 'extension', 'language-server', 'webviews'];
const FORBIDDEN = {
  schemas: ['shared', 'client', 'cli', 'daemon', 'extension', 'language-server', 'webviews'],
  shared: ['client', 'cli', 'daemon', 'extension', 'language-server', 'webviews'],
  client: ['cli', 'daemon', 'extension', 'language-server', 'webviews'],
  daemon: ['client', 'cli', 'extension', 'language-server', 'webviews'],
  'language-server': ['client', 'cli', 'daemon', 'extension', 'webviews'],
  cli: ['daemon', 'extension', 'language-server', 'webviews'],
  extension: ['cli', 'daemon', 'language-server', 'webviews'],
  webviews: ['shared', 'client', 'cli', 'daemon', 'extension', 'language-server'],
};
const layering = PARTS.map((part) => ({
  files: [`${part}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: FORBIDDEN[part].map((other) => ({
          regex: `(^|/)${other}/src(/|$)`,
          message: `${part}/ must not import ${other}/ (direction of dependencies: docs/ARCHITECTURE.md).`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.js', '**/*.mjs', '.vscode-test/**', 'out/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'max-lines-per-function': ['warn', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  ...layering,
);
