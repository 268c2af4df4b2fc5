// The WebAssembly tracker's timer heap (assembly/tracker/timers.ts, reached through its test
// exports, timer-exports.ts) against the reference tracker's (sdk/connections/timer-queue.ts):
// both give out the same entries in the same order, also after dropping entries (keep), so that
// the two trackers end connections alike. Entries of equal deadlines come out in the heap's own
// order, so both must make the same moves: the deadlines here are drawn from few values.

import { describe, it, expect } from "vitest";
import { instantiateTracker, type TrackerExports } from "../../../sdk/connections/tracker-module.js";
import { TimerQueue } from "../../../sdk/connections/timer-queue.js";
import { rng } from "../../helpers/decode.js";

type Entry = [deadline: number, slot: number, generation: number];

let wasm: TrackerExports | undefined;
function wasmQueue(): TrackerExports {
  wasm ??= instantiateTracker();
  wasm.timersReset();
  return wasm;
}

function popWasm(w: TrackerExports): Entry {
  const e: Entry = [w.timersPeekDeadline(), w.timersPeekSlot(), w.timersPeekGeneration()];
  w.timersPop();
  return e;
}

function popReference(q: TimerQueue): Entry {
  const e: Entry = [q.peekDeadline(), q.peekSlot(), q.peekGeneration()];
  q.pop();
  return e;
}

/** Pushes and pops (one pop for every `popEvery` pushes on average) with deadlines from a few values, many equal. */
function run(seed: number, pushes: number, distinct: number, popEvery: number): { wasm: Entry[]; reference: Entry[] } {
  const w = wasmQueue(), q = new TimerQueue(), next = rng(seed);
  const out = { wasm: [] as Entry[], reference: [] as Entry[] };
  for (let i = 0; i < pushes; i++) {
    const deadline = 1_000 + Math.floor(next() * distinct) / 8, slot = Math.floor(next() * 5_000), generation = i;
    w.timersPush(deadline, slot, generation);
    q.push(deadline, slot, generation);
    if (next() * popEvery < 1 && q.size > 0) {
      out.wasm.push(popWasm(w));
      out.reference.push(popReference(q));
    }
  }
  expect(w.timersSize()).toBe(q.size);
  while (q.size > 0) {
    out.wasm.push(popWasm(w));
    out.reference.push(popReference(q));
  }
  expect(w.timersSize()).toBe(0);
  expect(w.timersPeekDeadline()).toBe(Infinity);
  return out;
}

/** Are the deadlines of the entries given out in a row never earlier than the one before (between pushes)? */
function inOrder(entries: Entry[]): boolean {
  return entries.every((e, i) => i === 0 || e[0] >= entries[i - 1]![0]);
}

describe("the WebAssembly timer queue", () => {
  it("gives out every entry earliest first, equal deadlines in the reference heap's order", () => {
    for (const [seed, distinct] of [[1, 40], [2, 3], [3, 2_000]] as const) {
      const { wasm: w, reference } = run(seed, 20_000, distinct, Infinity);
      expect(w).toEqual(reference);
      expect(inOrder(w)).toBe(true);
      expect(new Set(w.map((e) => e[2])).size).toBe(20_000);
    }
  });

  it("gives out the same entries as the reference heap with pops between pushes", () => {
    for (const seed of [4, 5, 6]) {
      const { wasm: w, reference } = run(seed, 30_000, 50, 2);
      expect(w).toEqual(reference);
      expect(w.length).toBe(30_000);
    }
  });

  it("keeps the entries marked live and goes on in the reference heap's order, through growth", () => {
    const w = wasmQueue(), q = new TimerQueue(), next = rng(9);
    const live: Entry[] = [];
    for (let i = 0; i < 12_000; i++) {
      const deadline = 500 + Math.floor(next() * 300) / 4, slot = Math.floor(next() * 3_000);
      w.timersPush(deadline, slot, i);
      q.push(deadline, slot, i);
      if (i % 2 === 1) live.push([deadline, slot, i]);
      if (i % 3 === 0) {
        const a = popWasm(w), b = popReference(q);
        expect(a).toEqual(b);
        if (a[2] % 2 === 1) live.splice(live.findIndex((e) => e[2] === a[2]), 1);
      }
    }
    w.timersKeepOddGenerations();
    q.keep((_d, _s, generation) => generation % 2 === 1);
    expect(w.timersSize()).toBe(live.length);
    expect(q.size).toBe(live.length);
    const a: Entry[] = [], b: Entry[] = [];
    while (q.size > 0) { a.push(popWasm(w)); b.push(popReference(q)); }
    expect(a).toEqual(b);
    expect(inOrder(a)).toBe(true);
    expect(a.map((e) => e[2]).sort((x, y) => x - y)).toEqual(live.map((e) => e[2]).sort((x, y) => x - y));
  });
});
