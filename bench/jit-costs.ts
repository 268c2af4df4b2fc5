// Instructions executed per JIT-compiled function, exactly: valgrind's callgrind counts every
// instruction at its address (`--dump-instr=yes`), and V8's jitdump (`node --perf-prof`) says
// which function's code lies where. WebAssembly functions are compiled at run time, so no symbol
// table names them; this pairs the two. Counts do not depend on the machine's load or speed.


/** Instructions executed at each address, from a callgrind output file with instr positions. */
export function callgrindCosts(text: string): Map<number, number> {
  const costs = new Map<number, number>();
  let last = 0;
  let callCost = false; // the line after `calls=` is a call's inclusive cost: not this address's own
  let instrOnly = true;
  for (const line of text.split("\n")) {
    if (line.startsWith("positions:")) instrOnly = line.trim() === "positions: instr";
    const c = line.charCodeAt(0);
    const isCost = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42; // digit + - *
    if (!isCost) {
      if (line.startsWith("calls=")) callCost = true;
      continue;
    }
    const fields = line.split(" ");
    const p = fields[0]!;
    // An absolute address is hex (0x...); callgrind writes a relative one (+n, -n) in decimal.
    if (p.startsWith("0x")) last = parseInt(p, 16);
    else if (p[0] === "+") last += Number(p.slice(1));
    else if (p[0] === "-") last -= Number(p.slice(1));
    else if (p !== "*") continue; // a decimal (line number only): not an address
    if (callCost) { callCost = false; continue; }
    const cost = Number(fields[instrOnly ? 1 : 2] ?? 0);
    if (cost > 0) costs.set(last, (costs.get(last) ?? 0) + cost);
  }
  return costs;
}

export interface CodeLoad { name: string; address: number; size: number; code?: Uint8Array }

/**
 * The code loads of a jitdump file (record id 0): each function's name, address and size, and
 * with `withCode` its machine code (a view into `bytes`).
 */
export function jitdumpLoads(bytes: Uint8Array, withCode = false): CodeLoad[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || view.getUint32(0, true) !== 0x4a695444) throw new Error("not a jitdump file (magic JiTD)");
  const loads: CodeLoad[] = [];
  for (let at = view.getUint32(8, true); at + 16 <= bytes.byteLength;) {
    const id = view.getUint32(at, true), size = view.getUint32(at + 4, true);
    if (size === 0) break;
    if (id === 0) {
      // After the 16-byte record header: pid, tid, vma, code address, code size, index, name.
      const address = Number(view.getBigUint64(at + 32, true)), codeSize = Number(view.getBigUint64(at + 40, true));
      const nameAt = at + 56;
      let end = nameAt;
      while (end < bytes.byteLength && bytes[end] !== 0) end++;
      const load: CodeLoad = { name: new TextDecoder().decode(bytes.subarray(nameAt, end)), address, size: codeSize };
      // The code follows the name's terminating zero, to the record's end.
      if (withCode) load.code = bytes.subarray(end + 1, Math.min(end + 1 + codeSize, at + size));
      loads.push(load);
    }
    at += size;
  }
  return loads;
}

/** Instructions per function name (the code outside every load left out). */
export function costsByFunction(costs: Map<number, number>, loads: CodeLoad[]): Map<string, number> {
  const sorted = [...loads].sort((a, b) => a.address - b.address);
  const byName = new Map<string, number>();
  for (const [address, cost] of costs) {
    let lo = 0, hi = sorted.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.address <= address) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    const load = found >= 0 ? sorted[found]! : null;
    if (!load || address >= load.address + load.size) continue;
    byName.set(load.name, (byName.get(load.name) ?? 0) + cost);
  }
  return byName;
}
