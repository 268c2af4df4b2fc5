import { describe, it, expect } from "vitest";
import { compileFilter, FilterSyntaxError } from "../../../sdk/filter/connection-filter.js";
import type { ConnectionRecord } from "../../../sdk/index.js";

function conn(p: { id?: number; o: string; op: number; r: string; rp: number; state?: string; outcome?: string; teardown?: string }): ConnectionRecord {
  return {
    id: p.id ?? 0, orig: { addr: p.o, port: p.op }, resp: { addr: p.r, port: p.rp }, connState: p.state ?? "SF",
    handshake: { outcome: p.outcome ?? "complete" }, teardown: { kind: p.teardown ?? "fin" },
  } as unknown as ConnectionRecord;
}

const web = conn({ id: 1, o: "10.0.0.5", op: 40000, r: "192.0.2.80", rp: 443 });
const ssh = conn({ id: 2, o: "10.0.0.6", op: 50000, r: "192.0.2.22", rp: 22, state: "REJ", outcome: "rejected", teardown: "rst-resp" });
const v6 = conn({ id: 3, o: "2001:db8::1", op: 1234, r: "2001:db8:1::53", rp: 53, state: "S0", outcome: "unanswered", teardown: "open" });
const all = [web, ssh, v6];
const select = (expr: string) => all.filter(compileFilter(expr).matches).map((c) => c.id);

describe("connection filter", () => {
  it("host, net and port, with src/dst qualifiers", () => {
    expect(select("host 10.0.0.5")).toEqual([1]);
    expect(select("host 192.0.2.22")).toEqual([2]);
    expect(select("net 10.0.0.0/24")).toEqual([1, 2]);
    expect(select("net 2001:db8::/32")).toEqual([3]);
    expect(select("host 2001:DB8::1")).toEqual([3]);
    expect(select("port 22")).toEqual([2]);
    expect(select("src port 22")).toEqual([]);
    expect(select("dst port 22")).toEqual([2]);
    expect(select("src net 192.0.2.0/24")).toEqual([]);
    expect(select("dst net 192.0.2.0/24")).toEqual([1, 2]);
  });

  it("state, outcome, teardown and id", () => {
    expect(select("state REJ")).toEqual([2]);
    expect(select("state s0")).toEqual([3]);
    expect(select("outcome unanswered")).toEqual([3]);
    expect(select("teardown rst-resp")).toEqual([2]);
    expect(select("id 1")).toEqual([1]);
  });

  it("and, or, not, juxtaposition and parentheses, with the usual precedence", () => {
    expect(select("net 10.0.0.0/8 and not port 22")).toEqual([1]);
    expect(select("net 10.0.0.0/8 not port 22")).toEqual([1]);
    expect(select("port 22 or port 53 and state S0")).toEqual([2, 3]);
    expect(select("(port 22 or port 53) and state S0")).toEqual([3]);
    expect(select("not (outcome rejected or outcome unanswered)")).toEqual([1]);
  });

  it("tells early which new connections could be selected", () => {
    const may = (expr: string, a: [string, number], b: [string, number], id = 0) =>
      compileFilter(expr).mayMatch({ id, a: { addr: a[0], port: a[1] }, b: { addr: b[0], port: b[1] } });
    expect(may("port 443", ["10.0.0.1", 5000], ["10.0.0.2", 443])).toBe(true);
    expect(may("port 443", ["10.0.0.1", 5000], ["10.0.0.2", 80])).toBe(false);
    expect(may("port 443 and state S0", ["10.0.0.1", 5000], ["10.0.0.2", 443])).toBe(true);
    expect(may("port 22 and state S0", ["10.0.0.1", 5000], ["10.0.0.2", 443])).toBe(false);
    expect(may("dst port 443", ["10.0.0.2", 443], ["10.0.0.1", 5000])).toBe(true); // roles may swap
    expect(may("not outcome complete", ["10.0.0.1", 1], ["10.0.0.2", 2])).toBe(true);
    expect(may("id 7", ["10.0.0.1", 1], ["10.0.0.2", 2], 7)).toBe(true);
    expect(may("id 7", ["10.0.0.1", 1], ["10.0.0.2", 2], 8)).toBe(false);
  });

  it("points at the bad token", () => {
    const error = (expr: string) => { try { compileFilter(expr); } catch (e) { return e as FilterSyntaxError; } throw new Error("no error"); };
    expect(error("host 10.0.0.5 andd port 80").message).toBe('unexpected "andd" (expected host, net, port, src, dst, state, outcome, teardown, id, not or "(") at column 15 of "host 10.0.0.5 andd port 80"');
    expect(error("port 70000").column).toBe(5);
    expect(error("state XYZ").message).toContain('unknown state "XYZ"');
    expect(error("(port 1").message).toContain("expected \")\" but the expression ended");
    expect(error("host 10.0.0.0/8").message).toContain('use "net"');
    expect(error("src state S0").message).toContain('expected "host", "net" or "port" after "src"');
    expect(error("").message).toContain("empty filter");
  });
});
