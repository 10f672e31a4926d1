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
  // `language-server!` = the language server except its transport-free core (see CORE_EXCEPTIONS).
  cli: ['daemon', 'extension', 'language-server!', 'webviews'],
  extension: ['cli', 'daemon', 'language-server', 'webviews'],
  webviews: ['shared', 'client', 'cli', 'daemon', 'extension', 'language-server'],
};
/**
 * The CLI may import the language server's transport-free core: the Python parser and rules
 * (`language-server/src/python/`) and the notebook converter (`language-server/src/convert/`).
 * `mlops convert` must propose exactly what the editor's "Convert to Pipeline…" proposes, from the
 * same parsing and hardcoded-value rules; those folders are pure functions of text (no LSP, no
 * connection), so the CLI running them in-process is no dependency on the server. Everything else
 * of the language server (server.ts, notebooks.ts, core/ wiring) stays forbidden to it.
 */
const CORE_EXCEPTIONS = '(?!(python|convert)(/|$))';
const layering = PARTS.map((part) => ({
  files: [`${part}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: FORBIDDEN[part].map((entry) => {
          const other = entry.replace(/!$/, '');
          return {
            regex: entry.endsWith('!') ? `(^|/)${other}/src(/${CORE_EXCEPTIONS}|$)` : `(^|/)${other}/src(/|$)`,
            message: `${part}/ must not import ${other}/ (direction of dependencies: docs/ARCHITECTURE.md).`,
          };
        }),
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
