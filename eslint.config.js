import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/traps/build/', '.cache/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // The layers (design notes, section 1): the UI talks only to the API contract, as VS Code's
  // layers are enforced; the engine imports nothing above it.
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/**/*.test.ts', 'renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/analysis/**', '**/bin/**', '**/test/**'], message: 'the renderer talks to the engine only through electron/api.ts' },
            { group: ['**/electron/**', '!**/electron/api.js', '!**/electron/ws-protocol.js'], message: 'the renderer imports only electron/api.ts and electron/ws-protocol.ts' },
            { group: ['node:*'], message: 'the renderer runs in a browser: no Node modules' },
          ],
        },
      ],
    },
  },
  {
    files: ['analysis/**/*.ts'],
    ignores: ['analysis/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/electron/**', '**/renderer/**', '**/bin/**', 'electron'], message: 'analysis/ is the engine: pure Node, nothing above it' }] }],
    },
  },
);
