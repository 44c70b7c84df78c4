// Lint, including the layering rules (VS Code enforces its common/node/browser/electron-main
// layering the same way: a wrong import fails the build). The folders and what each may import
// are listed in README.md (Layout); HQ's layers are explained in docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'worker_threads', 'url', 'stream', 'events', 'util', 'zlib', 'tls', 'dns', 'readline', 'process', 'buffer', 'timers'];
const nodeOnly = [...nodeBuiltins.map((m) => `node:${m}`), ...nodeBuiltins, 'better-sqlite3', 'ws'];

/** Build a no-restricted-imports rule from forbidden module names and path patterns. */
function restrict(why, { paths = [], patterns = [] }) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: paths.map((name) => ({ name, message: why })),
        patterns: patterns.map((group) => ({ group: [group], message: why })),
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'coverage/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },
  {
    files: ['shared/**'],
    ignores: ['shared/node/**'],
    rules: restrict('shared/ is pure TypeScript that runs anywhere: no Node, DOM-runtime, Electron or app-folder imports (Node-only shared code goes in shared/node/).', {
      paths: [...nodeOnly, 'electron', 'react', 'zustand'],
      patterns: ['**/hq/**', '**/electron/**', '**/renderer/**', 'node:*', '**/node/**'],
    }),
  },
  {
    // Code shared by HQ and the desk core that needs Node (like VS Code's common/node split):
    // it may use Node built-ins, never Electron, the UI or either side's own folders.
    files: ['shared/node/**'],
    rules: restrict('shared/node/ is Node-only code shared by hq/ and the desk core: no electron, react, hq/, electron/ or renderer/ imports.', {
      paths: ['electron', 'react', 'zustand'],
      patterns: ['**/hq/**', '**/electron/**', '**/renderer/**'],
    }),
  },
  {
    files: ['hq/**'],
    ignores: ['hq/adapters/**'],
    rules: restrict('hq/ is the server: it may use shared/ and Node, never the desk or the UI; only hq/adapters/ may import a database or bus driver (use the ports in hq/ports/).', {
      paths: ['electron', 'react', 'zustand', 'better-sqlite3', 'pg', 'nats'],
      patterns: ['**/electron/**', '**/renderer/**', '@nats-io/*', 'pg-*'],
    }),
  },
  {
    // Adapters implement the ports with a driver; they never reach up into use cases or edges.
    files: ['hq/adapters/**'],
    rules: restrict('hq/adapters/ implement hq/ports/ with a driver: no electron, UI, use-case (hq/app) or edge (hq/edge) imports.', {
      paths: ['electron', 'react', 'zustand'],
      patterns: ['**/electron/**', '**/renderer/**', '**/hq/app/**', '**/hq/edge/**', '../../app/**', '../../edge/**', '../app/**', '../edge/**'],
    }),
  },
  {
    // Ports are contracts: types and small pure helpers, no drivers, no Node I/O.
    files: ['hq/ports/**'],
    rules: restrict('hq/ports/ are contracts: no driver, Node I/O, use-case or edge imports.', {
      paths: [...nodeOnly, 'electron', 'react', 'zustand', 'pg'],
      patterns: ['**/electron/**', '**/renderer/**', '**/hq/app/**', '**/hq/edge/**', '../app/**', '../edge/**', '../adapters/**', '@nats-io/*', 'node:*'],
    }),
  },
  // The desk side: folders say where the code runs. Only electron/electron-main/ may import
  // `electron`; the desk core, the host and the web shell run in plain Node (the web shell, the
  // tests and `npm start` load them without the Electron binary).
  {
    // The desk core is below both shells: it never sees a host, a shell or Electron.
    files: ['electron/desk/**'],
    rules: restrict('electron/desk/ is the desk core, plain Node below both shells: no electron, no electron/host/, electron/web/ or electron/electron-main/ imports, no hq/ or renderer/ code.', {
      paths: ['electron', 'electron-updater', 'react', 'zustand'],
      patterns: ['electron/*', '**/host/**', '**/web/**', '**/electron-main/**', '**/hq/**', '**/renderer/**'],
    }),
  },
  {
    // What both shells run: the desk host and its plain-Node pieces. Electron-only parts come in as
    // hooks and interfaces from electron-main/.
    files: ['electron/host/**'],
    rules: restrict('electron/host/ is what both shells run, in plain Node: no electron, no electron/electron-main/ or electron/web/ imports, no hq/ or renderer/ code.', {
      paths: ['electron', 'electron-updater', 'react', 'zustand'],
      patterns: ['electron/*', '**/electron-main/**', '**/web/**', '**/hq/**', '**/renderer/**'],
    }),
  },
  {
    // The web shell serves the built renderer as files; it never imports the renderer's code.
    files: ['electron/web/**'],
    rules: restrict('electron/web/ is the web shell, in plain Node: it may use the desk core and electron/host/, never electron or electron/electron-main/, nor hq/ or renderer/ code.', {
      paths: ['electron', 'electron-updater', 'react', 'zustand'],
      patterns: ['electron/*', '**/electron-main/**', '**/hq/**', '**/renderer/**'],
    }),
  },
  {
    files: ['electron/electron-main/**'],
    rules: restrict('electron/electron-main/ is the Electron shell: it may use electron, the desk core, electron/host/ and shared/, never the web shell, hq/ or renderer/ code.', {
      paths: ['react', 'zustand'],
      patterns: ['**/web/**', '**/hq/**', '**/renderer/**'],
    }),
  },
  {
    files: ['renderer/**'],
    rules: restrict('renderer/ sees the world only through DeskApi: it imports shared/ only, never Node, Electron, hq/ or electron/.', {
      paths: [...nodeOnly, 'electron'],
      patterns: ['**/hq/**', '**/electron/**', 'node:*', '**/shared/node/**'],
    }),
  },
  {
    // SQLite (3.53, as better-sqlite3 12 bundles it) reads a bound LIMIT while planning and then
    // marks the statement to be planned again whenever that parameter is bound anew: every call of
    // a prepared `… LIMIT ?` compiled its SQL again, ~6 µs (a member's purchases read 10.5 against
    // 4.3 µs, docs/benchmarks.md round 17). `LIMIT +?` is the same limit as an expression the
    // planner does not read; a literal limit is fine too.
    files: ['hq/adapters/sqlite/**', 'electron/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['Literal[value=/LIMIT\\s+[?:@$]/i]', 'TemplateElement[value.raw=/LIMIT\\s+[?:@$]/i]'].map((selector) => ({
          selector,
          message: 'A bound SQLite LIMIT makes the statement compile again on every call: write `LIMIT +?` (eslint.config.js says why).',
        })),
      ],
    },
  },
  {
    // Tests: what several suites share (builders, fixtures, clients, waitFor) lives in test/support/;
    // a unit test never loads an integration test's module, and neither does the shared kit.
    files: ['test/unit/**', 'test/support/**'],
    rules: restrict('test/unit/ and test/support/ never import from test/integration/: shared test code goes in test/support/.', {
      patterns: ['**/integration/**'],
    }),
  },
);
