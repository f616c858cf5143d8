// Build: bundles the ES modules of src/ per entry point, writes dist/chrome and dist/firefox
// (each with its own manifest from src/manifest.js) and zips them. `--no-zip` skips the zips.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildManifest } from '../src/manifest.js';
import { drawIcon } from './png.mjs';
import { zipDirectory } from './zip.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const zip = !process.argv.includes('--no-zip');

const ENTRIES = {
  'background.js': 'src/background/main.js',
  'content.js': 'src/content/main.js',
  'popup.js': 'src/popup/popup.js',
  'options.js': 'src/options/options.js',
};
const STATIC = {
  'popup.html': 'src/popup/popup.html',
  'popup.css': 'src/popup/popup.css',
  'options.html': 'src/options/options.html',
  'options.css': 'src/options/options.css',
};
const TARGETS = { chrome: ['chrome110'], firefox: ['firefox140'] };

for (const browser of ['chrome', 'firefox']) {
  const out = join(dist, browser);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'icons'), { recursive: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, src]) => [name.replace(/\.js$/, ''), join(root, src)])),
    outdir: out,
    bundle: true,
    format: 'iife', // content scripts cannot be modules; one format for every context keeps it simple
    target: TARGETS[browser],
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const [name, src] of Object.entries(STATIC)) copyFileSync(join(root, src), join(out, name));
  for (const size of [16, 32, 48, 128]) writeFileSync(join(out, 'icons', `icon-${size}.png`), drawIcon(size));
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(buildManifest(browser, pkg), null, 2)}\n`);
  if (zip) {
    const file = join(dist, `emoji-suggest-${browser}.zip`);
    const bytes = zipDirectory(out, file);
    console.log(`${file.slice(root.length + 1)}: ${(bytes / 1024).toFixed(1)} KiB`);
  } else {
    console.log(`dist/${browser}: built`);
  }
}
