import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { buildManifest } from '../src/manifest.js';
import { bundle, pack, root } from '../scripts/build.mjs';

test('per-browser manifests from one source', () => {
  const chrome = buildManifest('chrome', { version: '1.2.3' });
  const firefox = buildManifest('firefox', { version: '1.2.3' });
  assert.equal(chrome.manifest_version, 3);
  assert.deepEqual(chrome.background, { service_worker: 'background.js' });
  assert.equal(chrome.browser_specific_settings, undefined);
  assert.deepEqual(firefox.background, { scripts: ['background.js'] });
  assert.match(firefox.browser_specific_settings.gecko.id, /@/);
  for (const m of [chrome, firefox]) {
    assert.equal(m.version, '1.2.3');
    assert.deepEqual(m.content_scripts[0].matches, ['http://*/*', 'https://*/*']);
    assert.ok(m.permissions.includes('contextMenus'));
    assert.ok(m.permissions.includes('storage'));
    assert.equal(m.action.default_popup, 'popup.html');
    assert.equal(m.options_ui.page, 'options.html');
  }
  assert.throws(() => buildManifest('safari', { version: '1' }));
});

test('the committed icons are PNGs of the sizes the manifest names', () => {
  for (const [size, path] of Object.entries(buildManifest('chrome', { version: '1' }).icons)) {
    const png = readFileSync(join(root, 'src', path));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], path);
    assert.equal(png.readUInt32BE(16), Number(size), path); // IHDR width
    assert.equal(png.readUInt32BE(20), Number(size), path); // IHDR height
  }
});

test('test hooks are compiled out of the shipped bundles, and into test-hook builds only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'build-'));
  for (const browser of ['chrome', 'firefox']) {
    await bundle(browser, join(dir, browser));
    await bundle(browser, join(dir, `${browser}-test`), { testHooks: true });
    assert.ok(!readFileSync(join(dir, browser, 'background.js'), 'utf8').includes('test:context-menu'), browser);
    assert.ok(readFileSync(join(dir, `${browser}-test`, 'background.js'), 'utf8').includes('test:context-menu'));
    assert.ok(!readFileSync(join(dir, browser, 'background.js'), 'utf8').includes('__TEST_HOOKS__'));
  }
});

test('web-ext packs a bundle into a zip with the manifest and icons at its root', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pack-'));
  await bundle('chrome', join(dir, 'chrome'));
  const file = await pack(join(dir, 'chrome'), join(dir, 'out', 'emoji-suggest-chrome.zip'));
  const zip = readFileSync(file);
  assert.equal(zip.readUInt32LE(0), 0x04034b50); // a local file header
  try {
    const listing = execFileSync('unzip', ['-l', file], { encoding: 'utf8' });
    for (const name of ['manifest.json', 'background.js', 'content.js', 'icons/icon-128.png', '_locales/en/messages.json']) assert.match(listing, new RegExp(` ${name}\n`));
  } catch (err) {
    if (err.code === 'ENOENT') t.diagnostic('unzip not installed: skipped the listing');
    else throw err;
  }
});
