// Reads the frames of a classic pcap file (either byte order, micro- or nanosecond), so that
// tests can rewrite real traffic (examples/sample.pcap) with the capture writer.

import type { Frame } from "./capture-writer.js";

export function readPcapFrames(bytes: Uint8Array): Frame[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = v.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = (little ? magic : v.getUint32(0, false)) === 0xa1b23c4d;
  const frames: Frame[] = [];
  for (let pos = 24; pos + 16 <= bytes.length;) {
    const capLen = v.getUint32(pos + 8, little);
    const frac = v.getUint32(pos + 4, little);
    frames.push({
      sec: v.getUint32(pos, little), nsec: nano ? frac : frac * 1000,
      data: bytes.slice(pos + 16, pos + 16 + capLen), origLen: v.getUint32(pos + 12, little),
    });
    pos += 16 + capLen;
  }
  return frames;
}
