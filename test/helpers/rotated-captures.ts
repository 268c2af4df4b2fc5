// Rotated captures for the scale-out tests: one generated capture of interleaved connections
// cut into several files, so that connections cross file boundaries, with the clock stepping
// back now and then (a packet stamped a minute late, as merged captures have them) and a few
// non-TCP packets whose time still moves the capture clock.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateCapture } from "../../bench/generate.js";
import { readPcapFrames } from "./read-pcap.js";
import { readFileSync } from "node:fs";
import { writePcap, type Frame } from "./capture-writer.js";
import { ethernet, ipv4 } from "./packets.js";

export interface RotatedOptions { bytes?: number; files?: number; seed?: number; mix?: "short" | "bulk" }

/** Writes `files` rotated captures into `dir` (rot-0.pcap, …, in time order); returns their paths. */
export function writeRotatedCaptures(dir: string, o: RotatedOptions = {}): string[] {
  const whole = join(dir, "whole.pcap");
  generateCapture(whole, { bytes: o.bytes ?? 3e6, snaplen: 96, seed: o.seed ?? 7, mix: o.mix ?? "short" });
  const frames: Frame[] = readPcapFrames(readFileSync(whole));
  for (let k = 997; k < frames.length; k += 1499) {
    // A late stamp: 70 s ahead (past the handshake timers), the next packets step back from it.
    frames[k] = { ...frames[k]!, sec: frames[k]!.sec! + 70 };
  }
  for (let k = 501; k < frames.length; k += 2003) {
    // A UDP packet (not a record) even later: only the clock sees it.
    const udp = new Uint8Array(8);
    frames.splice(k, 0, { data: ethernet(ipv4({ src: "10.9.9.9", dst: "10.9.9.8", protocol: 17 }, udp)), sec: frames[k]!.sec! + 90, nsec: 5 });
  }
  const files = o.files ?? 4;
  const per = Math.ceil(frames.length / files);
  const paths: string[] = [];
  for (let f = 0; f < files; f++) {
    const path = join(dir, `rot-${f}.pcap`);
    writeFileSync(path, writePcap(frames.slice(f * per, (f + 1) * per), { snaplen: 96, nanosecond: true }));
    paths.push(path);
  }
  return paths;
}
