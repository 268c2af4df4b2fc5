// Captures at the edges of time. Before 1970 (a pcapng interface with if_tsoffset below zero):
// the command says the same as for the same packets a whole number of days later, dates aside.
// The decoder once took a negative first time for "no packet yet": info printed no first or
// last packet, the summary no "Captured" line, and rotated files were read in the order given,
// not by first packet; the summary's and the ladder's times of day were read off the "-s.f"
// text as if it were "s.f" (the fraction counted the wrong way). Past year 9999 (a damaged
// stamp): the seconds as they are, as past the range of a date, not ISO text cut at the
// offsets of a four-digit year ("+010000-01 01T00:00"). Out of time order (merged interfaces):
// the summary's span is from the earliest packet to the latest, as info's and capinfos's.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writePcapng, type Frame } from "../helpers/capture-writer.js";
import { readPcapFrames } from "../helpers/read-pcap.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-cli-times-"));
// 21 000 days back: the sample's 2026 becomes 1969, on the same times of day.
const DAYS = 21_000, SHIFT = -DAYS * 86_400;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The frames as a pcapng moved by `shift` seconds through its interface's if_tsoffset. */
function shifted(frames: Frame[], shift: number): Uint8Array {
  return writePcapng([{ interfaces: [{ tsresol: 9, tsoffset: shift }], blocks: frames.map((f) => ({ type: "epb" as const, frame: { ...f, sec: f.sec! + shift } })) }]);
}

const isoDay = (sec: number) => new Date(sec * 1000).toISOString().slice(0, 10);
let frames: Frame[];

beforeAll(() => {
  frames = readPcapFrames(readFileSync(SAMPLE));
  expect(frames[0]!.sec! + SHIFT).toBeLessThan(0);
  for (const [name, shift] of [["then", SHIFT], ["now", 0]] as const) {
    writeFileSync(join(dir, `${name}-1.pcapng`), shifted(frames.slice(0, 40), shift));
    writeFileSync(join(dir, `${name}-2.pcapng`), shifted(frames.slice(40), shift));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a capture from before 1970", () => {
  it("info: the first and the last packet, as for the same capture later", () => {
    const line = (text: string, label: string) => text.split("\n").find((l) => l.startsWith(label)) ?? "";
    const then = run(["info", "then-1.pcapng"]), now = run(["info", "now-1.pcapng"]);
    expect(then.code).toBe(0);
    for (const label of ["First packet:", "Last packet:"]) {
      expect(line(then.stdout, label), label).toMatch(new RegExp(`^${label} +${isoDay(frames[0]!.sec! + SHIFT)}T`));
      expect(line(then.stdout, label).split("T")[1]!.split("Z")[0], label).toBe(line(now.stdout, label).split("T")[1]!.split("Z")[0]);
    }
    expect(line(then.stdout, "Duration:")).toBe(line(now.stdout, "Duration:"));
  });

  it("the summary: rotated files in capture order whatever order they are given in, with the times of day of the same capture later", () => {
    const inOrder = run(["then-1.pcapng", "then-2.pcapng"]), reversed = run(["then-2.pcapng", "then-1.pcapng"]);
    expect(inOrder.code).toBe(0);
    expect(reversed.stdout.replace("then-2.pcapng, then-1.pcapng", "then-1.pcapng, then-2.pcapng")).toBe(inOrder.stdout);
    const later = run(["now-1.pcapng", "now-2.pcapng"]).stdout;
    const dated = (text: string, shift: number) => text.replaceAll("now-", "then-").replace(isoDay(frames[0]!.sec! + shift), "DAY");
    expect(inOrder.stdout).toMatch(/^Captured /m);
    expect(dated(inOrder.stdout, SHIFT)).toBe(dated(later, 0));
  });

  it("the ladder: its first line's time is the same time of day", () => {
    const then = run(["--ladder", "47", "then-1.pcapng", "then-2.pcapng"]), now = run(["--ladder", "47", "now-1.pcapng", "now-2.pcapng"]);
    expect(then.code).toBe(0);
    const began = (text: string) => text.split("\n").find((l) => l.startsWith("Began "))!;
    expect(began(then.stdout)).toMatch(new RegExp(`^Began ${isoDay(frames[46]!.sec! + SHIFT)} `));
    expect(then.stdout.replace(isoDay(frames[46]!.sec! + SHIFT), "DAY")).toBe(now.stdout.replace(isoDay(frames[46]!.sec!), "DAY"));
  });
});

describe("a capture past year 9999", () => {
  it("the summary, the ladder and info give its seconds since 1970, as for a stamp past a date's range", () => {
    const start = Date.UTC(10000, 0, 1) / 1000 + 5; // 253 402 300 805
    const at = (f: Frame, k: number) => ({ ...f, sec: start + Math.floor(k / 10), nsec: (k % 10) * 1000 });
    // Microseconds: nanoseconds since 1970 that far would not fit in 64 bits.
    writeFileSync(join(dir, "far.pcapng"), writePcapng([{ interfaces: [{ tsresol: 6 }], blocks: frames.slice(0, 10).map((f, k) => ({ type: "epb" as const, frame: at(f, k) })) }]));
    const summary = run(["far.pcapng"]).stdout, ladder = run(["--ladder", "1", "far.pcapng"]).stdout, info = run(["info", "far.pcapng"]).stdout;
    expect(summary).toContain(`Captured ${start} s after 1970 to ${start} s after 1970`);
    expect(summary).toMatch(new RegExp(`^  #1 +${start}\\.000000000 `, "m"));
    expect(ladder).toContain(`Began ${start}.000000000 (epoch);`);
    expect(info).toContain(`First packet:         ${start}.000000000 (${start}.000000000)`);
    for (const text of [summary, ladder, info]) expect(text).not.toMatch(/[+-]0\d{5}-/);
  });
});

describe("a capture of several days", () => {
  it("the summary's span in days as well as seconds", () => {
    const days = 3 * 86400 + 43200; // 3.5 days
    writeFileSync(join(dir, "days.pcapng"), writePcapng([{ blocks: frames.slice(0, 10).map((f, k) => ({ type: "epb" as const, frame: { ...f, sec: f.sec! + (k >= 5 ? days : 0) } })) }]));
    const span = frames[9]!.sec! + days + frames[9]!.nsec! / 1e9 - (frames[0]!.sec! + frames[0]!.nsec! / 1e9);
    expect(run(["days.pcapng"]).stdout.split("\n")[1]).toMatch(new RegExp(` UTC \\(${span.toFixed(0)} s, 3\\.5 days\\)$`));
  });
});

describe("a span near 10 s", () => {
  it("one decimal below 10 s as it rounds: 9.96 s is 10 s, not 10.0 s", () => {
    const span = (seconds: number) => {
      const [a, b] = [frames[0]!, frames[1]!];
      const last = { ...b, sec: a.sec! + Math.floor(seconds), nsec: Math.round((seconds % 1) * 1e9) };
      writeFileSync(join(dir, "ten.pcapng"), writePcapng([{ blocks: [a, last].map((frame) => ({ type: "epb" as const, frame: { ...frame, nsec: frame === a ? 0 : frame.nsec } })) }]));
      return /\(([^)]*)\)$/.exec(run(["ten.pcapng"]).stdout.split("\n")[1]!)?.[1];
    };
    expect(span(9.94)).toBe("9.9 s");
    expect(span(9.96)).toBe("10 s");
    expect(span(10.4)).toBe("10 s");
  });
});

describe("a capture out of time order", () => {
  it("the summary's span: the earliest packet to the latest, as info gives it, not from the file's first packet", () => {
    // A packet of 05:20:12 first in the file, before those from 05:20:08 on.
    const moved = [frames[frames.length - 1]!, ...frames.slice(0, -1)];
    writeFileSync(join(dir, "unordered.pcapng"), shifted(moved, 0));
    const seconds = (f: Frame) => f.sec! + f.nsec! / 1e9;
    const times = moved.map(seconds), earliest = Math.min(...times), latest = Math.max(...times);
    expect(seconds(moved[0]!)).toBeGreaterThan(earliest);
    const clock = (t: number) => new Date(Math.floor(t) * 1000).toISOString().slice(11, 19);
    const summary = run(["unordered.pcapng"]);
    expect(summary.code).toBe(0);
    expect(summary.stdout.split("\n")[1]).toBe(`Captured ${isoDay(earliest)} ${clock(earliest)} to ${clock(latest)} UTC (${(latest - earliest).toFixed(1)} s)`);
    const info = run(["info", "unordered.pcapng"]).stdout;
    expect(info).toMatch(new RegExp(`^First packet: +${isoDay(earliest)}T${clock(earliest)}\\.`, "m"));
  });
});
