// Bundles the editor test pages of tests/extension/pages/src (real Draft.js, Lexical and ProseMirror from npm)
// into tests/extension/pages/build/ (git-ignored), for the end-to-end tests.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pages = join(root, '..', 'tests', 'extension', 'pages');

await build({
  entryPoints: {
    draft: join(pages, 'src', 'draft.jsx'),
    lexical: join(pages, 'src', 'lexical.js'),
    prosemirror: join(pages, 'src', 'prosemirror.js'),
  },
  outdir: join(pages, 'build'),
  bundle: true,
  format: 'iife',
  target: 'chrome110',
  nodePaths: [join(root, 'node_modules')],
  define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
  jsx: 'transform',
  logLevel: 'warning',
});
console.log('tests/extension/pages/build: built');
