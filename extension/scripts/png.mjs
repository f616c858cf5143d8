// A tiny PNG encoder and the extension's icon (a smiling face), drawn in code.
import { crc32, deflateSync } from 'node:zlib';

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** Encode RGBA pixels (Uint8Array of size*size*4) as a PNG. */
export function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * size * 4, size * 4).copy(rows, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The icon at `size` pixels, 4x4 supersampled. */
export function drawIcon(size) {
  const px = new Uint8Array(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const u = (x + (sx + 0.5) / S) / size; // 0..1
          const v = (y + (sy + 0.5) / S) / size;
          const c = shade(u, v);
          if (c) {
            r += c[0] * c[3]; g += c[1] * c[3]; b += c[2] * c[3]; a += c[3];
          }
        }
      }
      const i = (y * size + x) * 4;
      const n = S * S;
      if (a > 0) {
        px[i] = Math.round(r / a); px[i + 1] = Math.round(g / a); px[i + 2] = Math.round(b / a);
      }
      px[i + 3] = Math.round((a / n) * 255);
    }
  }
  return encodePng(size, px);
}

function shade(u, v) {
  const dx = u - 0.5, dy = v - 0.5;
  const d = Math.hypot(dx, dy);
  if (d > 0.46) return null;
  const eye = (ex) => Math.hypot((u - ex) / 0.055, (v - 0.38) / 0.085) < 1;
  if (eye(0.36) || eye(0.64)) return [61, 40, 10, 1];
  const sm = Math.hypot(dx, v - 0.48);
  if (v > 0.52 && sm > 0.19 && sm < 0.26 && Math.abs(dx) < 0.2) return [61, 40, 10, 1];
  if (d > 0.42) return [214, 142, 10, 1]; // rim
  const light = 1 - Math.min(1, Math.hypot(u - 0.38, v - 0.3) * 1.2);
  return [255, Math.round(196 + 40 * light), Math.round(40 + 60 * light), 1];
}
