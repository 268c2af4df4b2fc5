import { describe, it, expect } from "vitest";
import { Progress } from "../../cli/progress.js";

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
  });

  it("writes nothing when nothing was drawn", () => {
    const { writes, stream } = fakeStream();
    new Progress(10, stream).done();
    expect(writes).toEqual([]);
  });
});
