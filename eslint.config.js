import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** An import whose specifier matches `regex` is refused in `files`, with `message`. */
const refuse = (files, rules) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: rules.map(([regex, message]) => ({ regex, message })) }] },
});

const DEV_PACKAGE = ['^@sluice/devenv(/|$)|(^|/)dev/src/', 'product code never imports the local environment (dev/): it does not ship in the image'];
const ABOVE_SHARED = ['(^|/)(api|worker|controller)/', 'shared/ and crd/ are the bottom layer: they import nothing above them'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // Layers: crd/ < shared/ < api/, worker/, controller/ (which never import each other) < main.ts.
  refuse(['src/**/*.ts'], [DEV_PACKAGE]),
  refuse(['src/shared/**/*.ts'], [DEV_PACKAGE, ABOVE_SHARED]),
  refuse(['src/crd/**/*.ts'], [DEV_PACKAGE, ABOVE_SHARED, ['(^|/)shared/', 'crd/ is the bottom layer: the schemas import nothing of the data plane']]),
  refuse(['src/api/**/*.ts'], [DEV_PACKAGE, ['(^|/)(worker|controller)/', 'api/ imports shared/ and crd/, never the worker or the operator']]),
  refuse(['src/worker/**/*.ts'], [DEV_PACKAGE, ['(^|/)(api|controller)/', 'worker/ imports shared/ and crd/, never the API or the operator']]),
  refuse(['src/controller/**/*.ts'], [DEV_PACKAGE, ['(^|/)(api|worker)/', 'controller/ reaches the data plane through its HTTP API, never its modules']]),
  refuse(['src/cli/**/*.ts'], [DEV_PACKAGE, ['(^|/)(api|worker|controller|shared)/', 'cli/ is a kubectl plugin: it reads the CRDs\' types (crd/) and talks to the apiserver, never the product\'s modules']]),
  {
    files: ['src/**/*.ts', 'dev/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Dependencies are parsed only for these extensions: without them no cycle through a .ts file is seen.
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
);
