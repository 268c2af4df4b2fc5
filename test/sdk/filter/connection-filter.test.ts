import { describe, it, expect } from "vitest";
import { compileFilter, FilterSyntaxError } from "../../../sdk/filter/connection-filter.js";
import { MAX_NESTING } from "../../../sdk/filter/parse-filter.js";
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
const mapped = conn({ id: 4, o: "::ffff:10.0.0.7", op: 8080, r: "fd00::2", rp: 8081, state: "RSTO", outcome: "complete", teardown: "rst-orig" });
const all = [web, ssh, v6, mapped];
const select = (expr: string) => all.filter(compileFilter(expr).matches).map((c) => c.id);

describe("connection filter", () => {
  it("host, net and port, with src/dst qualifiers", () => {
    expect(select("host 10.0.0.5")).toEqual([1]);
    expect(select("host 192.0.2.22")).toEqual([2]);
    expect(select("net 10.0.0.0/24")).toEqual([1, 2, 4]); // and the mapped ::ffff:10.0.0.7, as host takes it
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

  it("takes any id a double holds exactly, the largest too, and leading zeros", () => {
    const last = conn({ id: Number.MAX_SAFE_INTEGER, o: "10.0.0.9", op: 1, r: "10.0.0.10", rp: 2 });
    expect(compileFilter("id 9007199254740991").matches(last)).toBe(true);
    expect(compileFilter("id 9007199254740990").matches(last)).toBe(false);
    expect(select("id 0002")).toEqual([2]);
    expect(select("port 65535 or portrange 65535-65535")).toEqual([]);
    expect(select("port 00022")).toEqual([2]);
  });

  it("and, or, not, juxtaposition and parentheses, with the usual precedence", () => {
    expect(select("net 10.0.0.0/8 and not port 22")).toEqual([1, 4]);
    expect(select("net 10.0.0.0/8 not port 22")).toEqual([1, 4]);
    expect(select("port 22 or port 53 and state S0")).toEqual([2, 3]);
    expect(select("(port 22 or port 53) and state S0")).toEqual([3]);
    expect(select("not (outcome rejected or outcome unanswered)")).toEqual([1, 4]);
  });

  it("says which ids it pins, when it pins them (a ladder's scan stops once they have ended)", () => {
    const pinned = (e: string) => { const ids = compileFilter(e).onlyIds; return ids ? [...ids].sort((a, b) => a - b) : null; };
    expect(pinned("id 42")).toEqual([42]);
    expect(pinned("id 42 and port 80")).toEqual([42]);
    expect(pinned("port 80 and (id 9 or id 1)")).toEqual([1, 9]);
    expect(pinned("id 1 and id 2")).toEqual([]);
    expect(pinned("id 1 or port 80")).toBeNull();
    expect(pinned("not id 4")).toBeNull();
    expect(pinned("port 80")).toBeNull();
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

  it("says what it was given when that is not a connection record", () => {
    const f = compileFilter("port 80");
    for (const [given, what] of [[null, "null"], [undefined, "undefined"], [42, "number"], ["x", "string"], [{}, "an object without orig and resp"], [[], "an array"], [{ orig: {} }, "an object without orig and resp"]] as const) {
      expect(() => f.matches(given as unknown as ConnectionRecord), String(what)).toThrow(new TypeError(`filter.matches: expected a connection record (as a scan yields), got ${what}`));
    }
    expect(f.matches(web)).toBe(false);
  });

  it("points at the bad token", () => {
    const error = (expr: string) => { try { compileFilter(expr); } catch (e) { return e as FilterSyntaxError; } throw new Error("no error"); };
    expect(error("host 10.0.0.5 andd port 80").message).toBe('unexpected "andd" (expected host, net, port, portrange, src, dst, tcp, ip, ip6, state, outcome, teardown, id, a measure (retransmissions, rtt, duration, bytes, …), zero-window, retransmitted, capture-loss, not or "(") at column 15 of "host 10.0.0.5 andd port 80"');
    // A mark given a comparison: said so, with the measure that counts it.
    expect(error("retransmitted > 2").message).toBe('"retransmitted" is a mark (true or false) and takes no comparison: count with "retransmissions > …" at column 15 of "retransmitted > 2"');
    expect(error("port 80 and capture-loss >= 1").message).toMatch(/^"capture-loss" is a mark .*: count with "acked-unseen >= …" at column 26/);
    expect(error("zero-window == 0").message).toMatch(/^"zero-window" is a mark .*: count with "zero-windows == …"/);
    expect(error("port 70000").column).toBe(5);
    expect(error("state XYZ").message).toContain('unknown state "XYZ"');
    expect(error("(port 1").message).toContain("expected \")\" but the expression ended");
    expect(error("host 10.0.0.0/8").message).toContain('use "net"');
    expect(error("src state S0").message).toBe('expected "host", "net", "port" or "portrange" after "src", found "state" at column 5 of "src state S0"');
    expect(error("").message).toContain("empty filter");
  });

  it("takes tcpdump's forms: tcp, &&, ||, !, portrange, ip and ip6, src or dst, abbreviations", () => {
    expect(select("tcp port 443")).toEqual([1]);
    expect(select("tcp dst port 22")).toEqual([2]);
    expect(select("tcp")).toEqual([1, 2, 3, 4]);
    expect(select("port 22 || port 53")).toEqual([2, 3]);
    expect(select("net 10.0.0.0/8 && !port 22")).toEqual([1, 4]);
    expect(select("!(port 22 or port 53)")).toEqual([1, 4]);
    expect(select("! ! port 22")).toEqual([2]);
    expect(select("portrange 8000-8080")).toEqual([4]);
    expect(select("src portrange 8000-8080")).toEqual([4]);
    expect(select("dst portrange 8000-8080")).toEqual([]);
    expect(select("portrange 22-22")).toEqual([2]);
    expect(select("ip")).toEqual([1, 2]);
    expect(select("ip6")).toEqual([3, 4]);
    expect(select("ip6 and port 53")).toEqual([3]);
    expect(select("ip host 10.0.0.5")).toEqual([1]);
    expect(select("ip6 net 2001:db8::/32")).toEqual([3]);
    expect(select("src or dst port 22")).toEqual([2]);
    expect(select("src and dst net 192.0.2.0/24")).toEqual([]);
    expect(select("src and dst net 0.0.0.0/0")).toEqual([1, 2]);
    expect(select("port 22 or 53")).toEqual([2, 3]); // "53" takes the qualifiers of "port 22"
    expect(select("dst port 443 or 22")).toEqual([1, 2]);
    expect(select("host 10.0.0.5 or 10.0.0.6")).toEqual([1, 2]);
    expect(select("port 8080 or 10.0.0.5")).toEqual([1, 4]); // an address after a port is a host
    expect(select("10.0.0.6")).toEqual([2]); // a bare address is a host
    expect(select("dst 192.0.2.80")).toEqual([1]);
    expect(select("10.0.0.0/24")).toEqual([1, 2, 4]); // a bare prefix is a net
  });

  it("takes every address form the tool prints, and tcpdump's net forms", () => {
    expect(select("host [2001:db8::1]")).toEqual([3]);
    expect(select("host [fd00::2]:8081")).toEqual([4]); // an endpoint: address and port on one side
    expect(select("host [fd00::2]:80")).toEqual([]);
    expect(select("[fd00::2]:8081")).toEqual([4]);
    expect(select("dst host 192.0.2.22:22")).toEqual([2]);
    expect(select("src host 192.0.2.22:22")).toEqual([]);
    expect(select("host 10.0.0.5:443")).toEqual([]); // 10.0.0.5 is the client, on port 40000
    expect(select("host ::ffff:10.0.0.7")).toEqual([4]);
    expect(select("host 10.0.0.7")).toEqual([4]); // an IPv4 address also names its mapped form
    expect(select("host ::FFFF:a00:7")).toEqual([4]);
    expect(select("host 2001:0db8:0000:0000:0000:0000:0000:0001")).toEqual([3]);
    expect(select("net 10.0.0.0 mask 255.255.255.0")).toEqual([1, 2, 4]);
    expect(select("net ::ffff:10.0.0.0/120")).toEqual([1, 2, 4]); // a mapped prefix takes the IPv4 addresses it maps
    expect(select("net ::/0")).toEqual([3, 4]); // IPv6 addresses only: IPv4 ones are not in it
    expect(select("net 192.0.2")).toEqual([1, 2]); // tcpdump's abbreviated network: 192.0.2.0/24
    expect(select("net 10")).toEqual([1, 2, 4]);
    expect(select("net [2001:db8::]/32")).toEqual([3]);
    expect(select("net ::/0")).toEqual([3, 4]);
  });

  it("reports each mistake in these forms with its token and column", () => {
    const message = (expr: string) => { try { compileFilter(expr); } catch (e) { return (e as Error).message; } throw new Error(`no error for ${expr}`); };
    const cases: [string, string][] = [
      ["udp port 53", 'only TCP connections are tracked: "udp" matches none at column 1'],
      ["port 80 & port 81", 'unexpected "&" (write "&&" or "and") at column 9'],
      ["port 80 | port 81", 'unexpected "|" (write "||" or "or") at column 9'],
      ["port 80 &&", "expected a condition but the expression ended at column 11"],
      ["!", "expected a condition but the expression ended at column 2"],
      ["port 8000-8080", '"8000-8080" is a range: use "portrange 8000-8080" at column 6'],
      ["portrange 8080-8000", '"8080-8000" is not a port range like 8000-8080 at column 11'],
      ["portrange 1-70000", '"1-70000" is not a port range like 8000-8080 at column 11'],
      ["port http", '"http" is not a port number (service names are not looked up) at column 6'],
      ["host example.com", '"example.com" is not an IP address (host names are not looked up) at column 6'],
      ["host 10.0.0.256", '"10.0.0.256" is not an IP address at column 6'],
      ["host [fd00::2", '"[fd00::2" is not an IP address at column 6'],
      ["host [fd00::2]:99999", '"99999" is not a port number at column 6'],
      ["host fd00::2::3", '"fd00::2::3" is not an IP address at column 6'],
      ["net 10.0.0.0/33", '"10.0.0.0/33" has a prefix length out of range ("/33") at column 5'],
      ["net 10.0.0.0 mask 255.0.255.0", '"10.0.0.0" has a mask that is not a contiguous IPv4 netmask ("255.0.255.0") at column 5'],
      ["ip6 host 10.0.0.1", '"10.0.0.1" is not an IPv6 address at column 10'],
      ["ip net 2001:db8::/32", '"2001:db8::/32" is not an IPv4 address at column 8'],
      ["80", '"80" alone: write "port 80" or "id 80" at column 1'],
      ["dst 80", '"80" alone: write "port 80" or "id 80" at column 5'],
      ["src host", 'expected a value after "host" but the expression ended at column 9'],
      ["host and port 80", 'expected a value after "host", found "and" at column 6'],
      ["port 80)", 'unexpected ")" (no "(" to close) at column 8'],
      ["((port 80)", 'expected ")" but the expression ended at column 11'],
      ["id x", '"x" is not a connection id (a frame number) at column 4'],
      ["id 1.5", '"1.5" is not a connection id (a frame number) at column 4'],
      // Past 2^53 the number was rounded (and matched nothing): refused as a fraction is.
      ["id 99999999999999999999", '"99999999999999999999" is not a connection id (a frame number, at most 9007199254740991) at column 4'],
      ["id 9007199254740993", '"9007199254740993" is not a connection id (a frame number, at most 9007199254740991) at column 4'],
      ["id 9007199254740992", '"9007199254740992" is not a connection id (a frame number, at most 9007199254740991) at column 4'],
      // Ports and prefix lengths far out of range were refused already: kept so.
      ["port 99999999999999999999", '"99999999999999999999" is not a port number at column 6'],
      ["port 65536", '"65536" is not a port number at column 6'],
      ["portrange 1-99999999999999999999", '"1-99999999999999999999" is not a port range like 8000-8080 at column 11'],
      ["host 10.0.0.1:99999999999999999999", '"99999999999999999999" is not a port number at column 6'],
      ["net 10.0.0.0/99999999999999999999", '"10.0.0.0/99999999999999999999" has a prefix length out of range ("/99999999999999999999") at column 5'],
    ];
    for (const [expr, expected] of cases) expect(message(expr), expr).toBe(`${expected} of "${expr}"`);
  });

  it("handles thousands of terms, and refuses nesting past its limit with a clear error", () => {
    const ors = Array.from({ length: 20_000 }, (_, k) => `port ${k}`).join(" or ");
    expect(all.filter(compileFilter(ors).matches).map((c) => c.id)).toEqual([1, 2, 3, 4]);
    expect(compileFilter(ors).mayMatch({ id: 1, a: { addr: "10.0.0.1", port: 65000 }, b: { addr: "10.0.0.2", port: 65001 } })).toBe(false);
    const ands = Array.from({ length: 20_000 }, () => "not port 9").join(" && ");
    expect(select(ands)).toEqual([1, 2, 3, 4]);
    const nots = "not ".repeat(100_001) + "port 22";
    expect(select(nots)).toEqual([1, 3, 4]);
    const nested = (depth: number) => "(".repeat(depth) + "port 22" + ")".repeat(depth);
    expect(select(nested(MAX_NESTING))).toEqual([2]);
    expect(() => compileFilter(nested(MAX_NESTING + 1))).toThrow(`parentheses nested more than ${MAX_NESTING} deep at column ${MAX_NESTING + 1}`);
    expect(() => compileFilter(nested(100_000))).toThrow(FilterSyntaxError);
  });
});
