// The filter language's grammar, parsed into a tree whose "and" and "or" nodes hold all their
// operands in one list (so that thousands of "or" terms make a flat list, not a deep tree):
//
//   expr     := and (("or" | "||") and)*
//   and      := unary (("and" | "&&")? unary)*          juxtaposition means "and" (ours)
//   unary    := ("not" | "!")* ( "(" expr ")" | primary )
//   primary  := [tcp|ip|ip6] [src|dst|src or dst|src and dst] [host|net|port|portrange] VALUE
//             | tcp | ip | ip6                              (all, IPv4 or IPv6 connections)
//             | state S | outcome O | teardown T | id N     (ours)
//             | MEASURE (">" | ">=" | "<" | "<=" | "==" | "!=" | "=") QUANTITY    (ours: measures.ts)
//             | FLAG                                        (ours: zero-window, retransmitted, capture-loss)
//             | VALUE                                       (the qualifiers of the primary before)
//
// As in tcpdump (pcap-filter(7)), a value without qualifiers takes those of the primary before
// it ("port 80 or 443"), a bare address means "host" and a bare prefix "net". Unlike tcpdump,
// "and" binds tighter than "or" (as in Wireshark and most languages): "a or b and c" is
// "a or (b and c)". "src" is the originator (the client), "dst" the responder.

import { FilterSyntaxError, tokenize, isAnd, isOr, isNot, type Token } from "./tokens.js";
import { parseHost, parseNet, netContains } from "./address-values.js";
import type { FilterFields } from "./filter-fields.js";
import { CONN_STATE_DESCRIPTIONS } from "../connections/conn-state.js";
import { MEASURES, FLAGS, MARKS, COMPARISONS, parseQuantity, compare, type Comparison } from "./measures.js";

/**
 * An endpoint as the tests read it. `version` (4 or 6) where the caller has it (a record's
 * values): "ip" and "ip6" then need no address text; without it, they read the text's colons.
 */
export interface Endpoint { addr: string; port: number; readonly version?: number }
export type Side = "src" | "dst" | "either" | "both";
export type FilterNode =
  | { op: "and" | "or"; xs: FilterNode[] }
  | { op: "not"; x: FilterNode }
  | { op: "endpoint"; side: Side; test: (e: Endpoint) => boolean }
  | { op: "fields"; test: (c: FilterFields) => boolean }
  | { op: "id"; id: number }
  | { op: "all" };

/** Parentheses nested deeper than this are refused (the tree is walked recursively). */
export const MAX_NESTING = 200;

const OUTCOMES = ["complete", "rejected", "unanswered", "syn-ack-only", "aborted", "simultaneous-open", "mid-stream", "invalid"];
const TEARDOWNS = ["fin", "fin-3", "simultaneous-close", "rst-orig", "rst-resp", "fin-then-rst", "half-closed-orig", "half-closed-resp", "open", "timeout", "evicted", "reused"];
const STATES = Object.keys(CONN_STATE_DESCRIPTIONS);
const PROTOS = new Set(["tcp", "ip", "ip6"]);
const NOT_TCP = new Set(["udp", "icmp", "icmp6", "sctp", "arp", "rarp", "ether", "igmp", "vrrp", "esp", "ah", "pim", "llc", "wlan", "decnet", "atalk", "ipx"]);
const TYPES = new Set(["host", "net", "port", "portrange"]);
const KEYWORDS = new Set([
  "and", "or", "not", "src", "dst", "state", "outcome", "teardown", "id", ...PROTOS, ...TYPES, ...Object.keys(MEASURES), ...Object.keys(FLAGS),
]);
const EXPECTED = "expected host, net, port, portrange, src, dst, tcp, ip, ip6, state, outcome, teardown, id, "
  + `a measure (retransmissions, rtt, duration, bytes, …), ${Object.keys(FLAGS).join(", ")}, not or "("`;

type Proto = "tcp" | "ip" | "ip6" | null;
type Type = "host" | "net" | "port" | "portrange" | null;
interface Qualifiers { proto: Proto; side: Side | null; type: Type }

/** Whether a word is a value (address, prefix, port) rather than a keyword. */
const looksLikeValue = (text: string) => !KEYWORDS.has(text) && /^[\d[:]|[.:]/.test(text);

/** Whether an endpoint is IPv6: a mapped ::ffff:a.b.c.d address is (it has colons, and came in IPv6). */
const isIpv6 = (e: Endpoint) => (e.version === undefined ? e.addr.includes(":") : e.version === 6);
const ipVersion = (version: 4 | 6): FilterNode => ({ op: "endpoint", side: "either", test: (e) => isIpv6(e) === (version === 6) });

function and(xs: FilterNode[]): FilterNode {
  const flat = xs.flatMap((x) => (x.op === "and" ? x.xs : [x]));
  return flat.length === 1 ? flat[0]! : { op: "and", xs: flat };
}

export function parseFilter(expression: string): FilterNode {
  const tokens = tokenize(expression);
  let pos = 0;
  let last: Qualifiers | null = null; // of the primary before, for "port 80 or 443"
  const peek = (k = 0) => tokens[pos + k];
  const fail = (message: string, token?: Token): never => {
    throw new FilterSyntaxError(message, token ? token.at : expression.length, expression);
  };
  const take = (what: string): Token => tokens[pos++] ?? fail(`expected ${what} but the expression ended`);

  function parseOr(depth: number): FilterNode {
    const xs = [parseAnd(depth)];
    while (isOr(peek())) {
      pos++;
      xs.push(parseAnd(depth));
    }
    if (xs.length === 1) return xs[0]!;
    return { op: "or", xs: xs.flatMap((x) => (x.op === "or" ? x.xs : [x])) };
  }

  function parseAnd(depth: number): FilterNode {
    const xs = [parseUnary(depth)];
    for (;;) {
      const t = peek();
      if (!t || isOr(t) || t.text === ")") break;
      if (isAnd(t)) pos++;
      xs.push(parseUnary(depth));
    }
    return and(xs);
  }

  function parseUnary(depth: number): FilterNode {
    let negate = false;
    while (isNot(peek())) { pos++; negate = !negate; }
    let node: FilterNode;
    const t = peek();
    if (t?.text === "(") {
      if (depth >= MAX_NESTING) fail(`parentheses nested more than ${MAX_NESTING} deep`, t);
      pos++;
      node = parseOr(depth + 1);
      const close = take('")"');
      if (close.text !== ")") fail(`expected ")" but found "${close.text}"`, close);
    } else {
      node = parsePrimary();
    }
    return negate ? { op: "not", x: node } : node;
  }

  function parsePrimary(): FilterNode {
    const first = take("a condition");
    const word = first.text;
    const value = (kind: string, allowed: string[]) => {
      const v = take(`a ${kind}`);
      const match = allowed.find((a) => a.toLowerCase() === v.text.toLowerCase());
      return match ?? fail(`unknown ${kind} "${v.text}" (one of: ${allowed.join(", ")})`, v);
    };
    const measure = Object.hasOwn(MEASURES, word) ? MEASURES[word] : undefined;
    if (measure) {
      const op = take(`a comparison after "${word}" (e.g. ${word} > ${measure.unit === "time" ? "100ms" : measure.unit === "size" ? "1MB" : "0"})`);
      if (!(COMPARISONS as readonly string[]).includes(op.text)) fail(`expected a comparison (>, >=, <, <=, ==, !=) after "${word}", found "${op.text}"`, op);
      const v = take(`a value after "${word} ${op.text}"`);
      const x = parseQuantity(v.text, measure.unit, word);
      if (typeof x === "string") return fail(x, v);
      const cmp = op.text as Comparison;
      return { op: "fields", test: (c) => { const m = measure.get(c); return m !== null && compare(cmp, m, x); } };
    }
    const flag = Object.hasOwn(FLAGS, word) ? FLAGS[word] : undefined;
    if (flag) {
      // A mark is true or false: a comparison after it reads as the next primary, and said only "unexpected >".
      const next = peek();
      if (next && (COMPARISONS as readonly string[]).includes(next.text)) {
        fail(`"${word}" is a mark (true or false) and takes no comparison: count with "${MARKS[word]} ${next.text} …"`, next);
      }
      return { op: "fields", test: flag };
    }
    switch (word) {
      case "state": { const s = value("state", STATES); return { op: "fields", test: (c) => c.connState === s }; }
      case "outcome": { const o = value("outcome", OUTCOMES); return { op: "fields", test: (c) => c.outcome === o }; }
      case "teardown": { const k = value("teardown", TEARDOWNS); return { op: "fields", test: (c) => c.teardown === k }; }
      case "id": {
        const v = take("a connection id");
        if (!/^\d+$/.test(v.text)) fail(`"${v.text}" is not a connection id (a frame number)`, v);
        // Past 2^53 the number would be rounded, to a frame number no capture reaches: refused
        // rather than matching nothing.
        const id = Number(v.text);
        if (!Number.isSafeInteger(id)) fail(`"${v.text}" is not a connection id (a frame number, at most ${Number.MAX_SAFE_INTEGER})`, v);
        return { op: "id", id };
      }
    }
    if (NOT_TCP.has(word)) fail(`only TCP connections are tracked: "${word}" matches none`, first);

    pos--;
    const q: Qualifiers = { proto: null, side: null, type: null };
    if (PROTOS.has(peek()!.text)) q.proto = take("").text as Proto;
    if (peek()?.text === "src" || peek()?.text === "dst") {
      const dir = take("");
      q.side = dir.text as Side;
      // tcpdump's "src or dst" and "src and dst" (only when the other direction follows).
      const other = dir.text === "src" ? "dst" : "src";
      if ((isOr(peek()) || isAnd(peek())) && peek(1)?.text === other) {
        q.side = isOr(peek()) ? "either" : "both";
        pos += 2;
      }
    }
    if (TYPES.has(peek()?.text ?? "")) q.type = take("").text as Type;
    const v = peek();
    if (!q.side && !q.type) {
      if (q.proto && (!v || !looksLikeValue(v.text))) {
        // "tcp", "ip", "ip6" alone.
        return q.proto === "tcp" ? { op: "all" } : ipVersion(q.proto === "ip" ? 4 : 6);
      }
      if (!q.proto && (!v || !looksLikeValue(v.text))) {
        if (word === "&" || word === "|") fail(`unexpected "${word}" (write "${word}${word}" or "${word === "&" ? "and" : "or"}")`, first);
        fail(`unexpected "${word}" (${EXPECTED})`, first);
      }
      // "port 80 or 443": the qualifiers of the primary before (an address after a port
      // primary is taken as a host, as it cannot be a port).
      if (!q.proto && last && !(/^port/.test(last.type ?? "") && /[.:[]/.test(v.text))) Object.assign(q, last);
    }
    const before = tokens[pos - 1]?.text;
    const wanted = q.type ? `a value after "${q.type}"` : `"host", "net", "port" or "portrange" after "${before}"`;
    const valueToken = take(wanted);
    if (KEYWORDS.has(valueToken.text) || valueToken.text === "(" || valueToken.text === ")") {
      fail(`expected ${wanted}, found "${valueToken.text}"`, valueToken);
    }
    const node = endpointPrimary(q, valueToken);
    last = { ...q };
    return node;
  }

  function endpointPrimary(q: Qualifiers, v: Token): FilterNode {
    let type = q.type;
    if (!type) {
      if (/^\d+$/.test(v.text)) fail(`"${v.text}" alone: write "port ${v.text}" or "id ${v.text}"`, v);
      if (/^\d+-\d+$/.test(v.text)) fail(`"${v.text}" alone: write "portrange ${v.text}"`, v);
      type = v.text.includes("/") || /^\d+(\.\d+){0,2}$/.test(v.text) ? "net" : "host";
    }
    const side = q.side ?? "either";
    let test: (e: Endpoint) => boolean;
    let version: 4 | 6 | null = null;
    switch (type) {
      case "host": {
        const h = parseHost(v.text);
        if (typeof h === "string") return fail(h.startsWith('"') ? h : `"${v.text}" ${h}`, v);
        const [a, b] = h.addrs as [string, string | undefined];
        const port = h.port;
        test = port === null ? (e) => e.addr === a || e.addr === b : (e) => e.port === port && (e.addr === a || e.addr === b);
        version = h.version;
        break;
      }
      case "net": {
        let mask: string | undefined;
        if (peek()?.text === "mask") { pos++; mask = take("a netmask").text; }
        const n = parseNet(v.text, mask);
        if (typeof n === "string") return fail(`"${v.text}" ${n}`, v);
        test = (e) => netContains(n, e.addr);
        version = n.version;
        break;
      }
      case "port": {
        if (/^\d+-\d+$/.test(v.text)) fail(`"${v.text}" is a range: use "portrange ${v.text}"`, v);
        if (!/^\d+$/.test(v.text) || Number(v.text) > 65535) {
          fail(/^[a-z]/i.test(v.text) ? `"${v.text}" is not a port number (service names are not looked up)` : `"${v.text}" is not a port number`, v);
        }
        const port = Number(v.text);
        test = (e) => e.port === port;
        break;
      }
      case "portrange": {
        const m = /^(\d+)-(\d+)$/.exec(v.text);
        const lo = Number(m?.[1]), hi = Number(m?.[2]);
        if (!m || lo > hi || hi > 65535) fail(`"${v.text}" is not a port range like 8000-8080`, v);
        test = (e) => e.port >= lo && e.port <= hi;
        break;
      }
    }
    const node: FilterNode = { op: "endpoint", side, test: test! };
    if (q.proto === "ip" || q.proto === "ip6") {
      const wanted = q.proto === "ip" ? 4 : 6;
      if (version !== null && version !== wanted) {
        fail(`"${v.text}" is not an ${q.proto === "ip" ? "IPv4" : "IPv6"} address`, v);
      }
      return and([ipVersion(wanted), node]);
    }
    return node;
  }

  if (tokens.length === 0) fail("empty filter");
  const root = parseOr(0);
  if (pos < tokens.length) {
    const t = tokens[pos]!;
    fail(t.text === ")" ? 'unexpected ")" (no "(" to close)' : `unexpected "${t.text}"`, t);
  }
  return root;
}
