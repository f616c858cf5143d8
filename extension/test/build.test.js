import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { buildManifest } from '../src/manifest.js';
import { drawIcon } from '../scripts/png.mjs';
import { zipDirectory } from '../scripts/zip.mjs';

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

test('icons are valid PNGs', () => {
  const png = drawIcon(16);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.readUInt32BE(16), 16);
});

test('zip files hold the files, readable by a standard tool', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zip-'));
  mkdirSync(join(dir, 'src', 'icons'), { recursive: true });
  writeFileSync(join(dir, 'src', 'manifest.json'), '{"a": 1}');
  writeFileSync(join(dir, 'src', 'icons', 'x.txt'), 'hello '.repeat(100));
  const out = join(dir, 'out.zip');
  const size = zipDirectory(join(dir, 'src'), out);
  const zip = readFileSync(out);
  assert.equal(zip.length, size);
  assert.equal(zip.readUInt32LE(0), 0x04034b50);
  const nameLength = zip.readUInt16LE(26);
  assert.equal(zip.subarray(30, 30 + nameLength).toString(), 'icons/x.txt');
  const packed = zip.subarray(30 + nameLength, 30 + nameLength + zip.readUInt32LE(18));
  assert.equal(inflateRawSync(packed).toString(), 'hello '.repeat(100));
  try {
    const listing = execFileSync('unzip', ['-l', out], { encoding: 'utf8' });
    assert.match(listing, /manifest\.json/);
  } catch (err) {
    if (err.code === 'ENOENT') t.diagnostic('unzip not installed: skipped the cross-check');
    else throw err;
  }
});
