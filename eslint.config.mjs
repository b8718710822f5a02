// Lint rules. The one that matters most for the architecture: only the Electron shell
// (src/main/shell) and the preload may import `electron`; services and shared code run
// under plain Node and in tests.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noElectron = {
  paths: [
    {
      name: 'electron',
      message: 'Nur src/main/shell und src/preload dürfen electron importieren.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': ['error', noElectron],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // A CommonJS preload for a CommonJS tool (see the file's header).
    files: ['scripts/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/main/shell/**/*.ts', 'src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      // Links leave the app only through openExternal in window.ts, which checks the scheme:
      // any `.openExternal` (shell, an alias, electron.shell) or a destructured one is refused.
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='openExternal']",
          message: 'openExternal aus window.ts benutzen.',
        },
        {
          selector: "Property[key.name='openExternal']",
          message: 'openExternal aus window.ts benutzen.',
        },
      ],
    },
  },
  {
    files: ['src/main/shell/window.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          ...noElectron,
          patterns: [
            {
              group: ['node:*', '**/main/**'],
              message: 'Der Renderer spricht nur über window.api mit dem Hauptprozess.',
            },
          ],
        },
      ],
    },
  },
);
