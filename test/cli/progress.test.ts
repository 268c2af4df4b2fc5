import { describe, it, expect } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Progress } from "../../cli/progress.js";
import { writeSynFlood } from "../../bench/flood.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.js", import.meta.url));
const hasScript = spawnSync("script", ["--version"]).status === 0;
if (!hasScript) console.log("progress: util-linux script(1) is not installed; the Ctrl-C test on a terminal is skipped");

function fakeStream() {
  const writes: string[] = [];
  return { writes, stream: { write: (s: string) => { writes.push(s); return true; } } as unknown as NodeJS.WriteStream };
}

describe("progress", () => {
  it("draws a bar with bytes, rate and ETA, at most ten times a second, and erases itself", async () => {
    const { writes, stream } = fakeStream();
    const p = new Progress(200e6, stream);
    await new Promise((r) => setTimeout(r, 120));
    p.update(50e6);
    p.update(60e6); // too soon: not drawn
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\r\[#{8}\.{22}\]  25%  50\.0 MB of 200\.0 MB  \d+ MB\/s  ETA \d+s\x1b\[K$/);
    p.done();
    expect(writes[1]).toBe("\r\x1b[K");
  });

  it("shows bytes and rate when the size is unknown (standard input)", async () => {
    const { writes, stream } = fakeStream();
    const p = new Progress(null, stream);
    await new Promise((r) => setTimeout(r, 120));
    p.update(3e6);
    expect(writes[0]).toMatch(/^\r3\.0 MB read  \d+ MB\/s\x1b\[K$/);
    p.done();
  });

  it("stops watching signals and the exit once done, and erases only once", async () => {
    const before = ["SIGINT", "SIGTERM", "SIGHUP", "exit"].map((e) => process.listenerCount(e));
    const { writes, stream } = fakeStream();
    const p = new Progress(100, stream);
    expect(process.listenerCount("SIGINT")).toBe(before[0]! + 1);
    await new Promise((r) => setTimeout(r, 120));
    p.update(10);
    p.done();
    p.done();
    expect(writes.filter((w) => w === "\r\x1b[K")).toHaveLength(1);
    expect(["SIGINT", "SIGTERM", "SIGHUP", "exit"].map((e) => process.listenerCount(e))).toEqual(before);
  });

  it.skipIf(!hasScript)("is erased when the user presses Ctrl-C on a terminal, and the command ends with status 130", async () => {
    // A capture read from a pipe that stays open, written by this process (outside the
    // terminal's process group: Ctrl-C must reach the command alone, or the input would end
    // and the run could finish first): the scan waits for more while the bar shows.
    const dir = mkdtempSync(join(tmpdir(), "ths-progress-"));
    const capture = join(dir, "flood.pcap"), fifo = join(dir, "in.fifo");
    writeSynFlood(capture, 60_000, 1_000_000); // 4 MB: the bar is drawn while it is read
    spawnSync("mkfifo", [fifo]);
    const command = `${process.execPath} ${BIN} --threads 1 - < ${fifo}`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString("latin1"); });
    const writer = await open(fifo, "w");
    await writer.write(readFileSync(capture));
    for (let k = 0; k < 100 && !/MB read/.test(out); k++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/MB read/);
    child.stdin.write("\x03"); // Ctrl-C on the terminal: SIGINT to the foreground processes
    const status = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await writer.close();
    expect(status, JSON.stringify(out.slice(0, 400))).toBe(130); // 128 + SIGINT
    const afterBar = out.slice(out.lastIndexOf("MB read"));
    expect(afterBar).toContain("\r\x1b[K");
  }, 20_000);

  it("writes nothing when nothing was drawn", () => {
    const { writes, stream } = fakeStream();
    new Progress(10, stream).done();
    expect(writes).toEqual([]);
  });
});
