// Build: bundles the ES modules of src/ per entry point into dist/chrome and dist/firefox (each with its own
// manifest from src/manifest.js, the committed icons and the _locales messages), then packs each with `web-ext build` into
// dist/emoji-suggest-<browser>.zip. `--no-zip` skips the zips. `--test-hooks` builds dist-test/ instead: the same
// bundles with the message handlers only the end-to-end tests use (never zipped, never shipped).
import { build } from 'esbuild';
import { copyFileSync, cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import webExt from 'web-ext';
import { buildManifest } from '../src/manifest.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const ENTRIES = {
  background: 'src/background/main.js',
  content: 'src/content/main.js',
  popup: 'src/popup/popup.js',
  options: 'src/options/options.js',
};
const STATIC = {
  'popup.html': 'src/popup/popup.html',
  'popup.css': 'src/popup/popup.css',
  'options.html': 'src/options/options.html',
  'options.css': 'src/options/options.css',
};
const TARGETS = { chrome: ['chrome110'], firefox: ['firefox140'] };

/** Bundle the extension for `browser` into `out` (emptied first). */
export async function bundle(browser, out, { testHooks = false } = {}) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, src]) => [name, join(root, src)])),
    outdir: out,
    bundle: true,
    format: 'iife', // content scripts cannot be modules; one format for every context keeps it simple
    target: TARGETS[browser],
    define: { __TEST_HOOKS__: String(testHooks) }, // false: the hooks' code is dropped (src/lib/build-flags.js)
    minifySyntax: true, // folds the flags so that dead branches go; names and layout stay readable
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const [name, src] of Object.entries(STATIC)) copyFileSync(join(root, src), join(out, name));
  cpSync(join(root, 'src', 'icons'), join(out, 'icons'), { recursive: true });
  cpSync(join(root, 'src', '_locales'), join(out, '_locales'), { recursive: true });
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(buildManifest(browser, pkg), null, 2)}\n`);
}

/** Zip a bundled folder with `web-ext build` into `file`; returns the zip's path. */
export async function pack(sourceDir, file) {
  const { extensionPath } = await webExt.cmd.build(
    { sourceDir, artifactsDir: dirname(file), overwriteDest: true },
    { shouldExitProgram: false, showReadyMessage: false },
  );
  if (extensionPath !== file) renameSync(extensionPath, file);
  return file;
}

async function main(argv) {
  const testHooks = argv.includes('--test-hooks');
  const dist = join(root, testHooks ? 'dist-test' : 'dist');
  for (const browser of ['chrome', 'firefox']) {
    await bundle(browser, join(dist, browser), { testHooks });
    if (testHooks || argv.includes('--no-zip')) {
      console.log(`${dist.slice(root.length + 1)}/${browser}: built`);
      continue;
    }
    const file = await pack(join(dist, browser), join(dist, `emoji-suggest-${browser}.zip`));
    console.log(`${file.slice(root.length + 1)}: ${(readFileSync(file).length / 1024).toFixed(1)} KiB`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
