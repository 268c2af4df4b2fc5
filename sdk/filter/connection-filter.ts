// A small expression language for selecting connections, in the spirit of pcap filters:
//
//   expr    := or
//   or      := and ("or" and)*
//   and     := unary (("and")? unary)*        juxtaposition means "and"
//   unary   := "not" unary | "(" expr ")" | primary
//   primary := [src|dst] host ADDR | [src|dst] net CIDR | [src|dst] port N
//            | state S | outcome O | teardown T | id N
//
// "src" is the originator (the client), "dst" the responder. Examples:
//   host 10.0.0.5 and not port 22
//   dst port 443 and (outcome rejected or outcome unanswered)
//   net 2001:db8::/32 and state RSTR
// Errors name the token and its column.

import { parseCidr, type Cidr } from "../connections/cidr.js";
import type { ConnectionRecord } from "../connections/connection-record.js";
import { CONN_STATE_DESCRIPTIONS } from "../connections/conn-state.js";

export class FilterSyntaxError extends Error {
  constructor(message: string, readonly column: number, readonly expression: string) {
    super(`${message} at column ${column + 1} of "${expression}"`);
    this.name = "FilterSyntaxError";
  }
}

export type ConnectionPredicate = (c: ConnectionRecord) => boolean;

/** The endpoints of a connection as first seen (roles may still swap), with its id. */
export interface ProvisionalConnection {
  id: number;
  a: { addr: string; port: number };
  b: { addr: string; port: number };
}

export interface ConnectionFilter {
  /** Whether a finished connection is selected. */
  matches: ConnectionPredicate;
  /**
   * Whether a connection just started could be selected once it ends (false: certainly not).
   * Conditions on state, outcome, teardown and on src/dst roles are not known yet.
   */
  mayMatch(c: ProvisionalConnection): boolean;
}

type Endpoint = { addr: string; port: number };
type Test = (e: Endpoint) => boolean;
type Node =
  | { op: "and" | "or"; l: Node; r: Node }
  | { op: "not"; x: Node }
  | { op: "endpoint"; side: "src" | "dst" | null; test: Test }
  | { op: "record"; test: ConnectionPredicate }
  | { op: "id"; id: number };

interface Token { text: string; at: number }

const OUTCOMES = ["complete", "rejected", "unanswered", "syn-ack-only", "aborted", "simultaneous-open", "mid-stream", "invalid"];
const TEARDOWNS = ["fin", "fin-3", "simultaneous-close", "rst-orig", "rst-resp", "fin-then-rst", "half-closed-orig", "half-closed-resp", "open", "timeout", "evicted"];
const STATES = Object.keys(CONN_STATE_DESCRIPTIONS);

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(\(|\)|[^\s()]+)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < expr.length && (m = re.exec(expr))) {
    tokens.push({ text: m[1]!, at: m.index + m[0].length - m[1]!.length });
  }
  return tokens;
}

function cidrMatches(c: Cidr, addr: string): boolean {
  let a: Cidr;
  try { a = parseCidr(addr); } catch { return false; }
  if (a.version !== c.version) return false;
  const bytes = new Uint8Array(a.words.buffer), prefix = new Uint8Array(c.words.buffer);
  let bits = c.bits;
  for (let k = 0; bits > 0; k++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[k]! & mask) !== (prefix[k]! & mask)) return false;
  }
  return true;
}

function evaluate(n: Node, c: ConnectionRecord): boolean {
  switch (n.op) {
    case "and": return evaluate(n.l, c) && evaluate(n.r, c);
    case "or": return evaluate(n.l, c) || evaluate(n.r, c);
    case "not": return !evaluate(n.x, c);
    case "endpoint": return n.side === "src" ? n.test(c.orig) : n.side === "dst" ? n.test(c.resp) : n.test(c.orig) || n.test(c.resp);
    case "record": return n.test(c);
    case "id": return c.id === n.id;
  }
}

// Kleene three-valued logic: true, false, or null for "not known yet".
function provisional(n: Node, c: ProvisionalConnection): boolean | null {
  switch (n.op) {
    case "and": {
      const l = provisional(n.l, c), r = provisional(n.r, c);
      return l === false || r === false ? false : l === true && r === true ? true : null;
    }
    case "or": {
      const l = provisional(n.l, c), r = provisional(n.r, c);
      return l === true || r === true ? true : l === false && r === false ? false : null;
    }
    case "not": {
      const x = provisional(n.x, c);
      return x === null ? null : !x;
    }
    case "endpoint": {
      const a = n.test(c.a), b = n.test(c.b);
      if (n.side === null) return a || b;
      return a === b ? a : null; // which side is the originator may still change
    }
    case "record": return null;
    case "id": return c.id === n.id;
  }
}

export function compileFilter(expression: string): ConnectionFilter {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (message: string, token?: Token): never => {
    throw new FilterSyntaxError(message, token ? token.at : expression.length, expression);
  };
  const take = (what: string): Token => {
    const t = tokens[pos];
    if (!t) return fail(`expected ${what} but the expression ended`);
    pos++;
    return t;
  };

  function parseOr(): Node {
    let left = parseAnd();
    while (peek()?.text === "or") {
      pos++;
      left = { op: "or", l: left, r: parseAnd() };
    }
    return left;
  }

  function parseAnd(): Node {
    let left = parseUnary();
    for (;;) {
      const t = peek();
      if (!t || t.text === "or" || t.text === ")") return left;
      if (t.text === "and") pos++;
      left = { op: "and", l: left, r: parseUnary() };
    }
  }

  function parseUnary(): Node {
    const t = take("a condition");
    if (t.text === "not") return { op: "not", x: parseUnary() };
    if (t.text === "(") {
      const inner = parseOr();
      const close = take('")"');
      if (close.text !== ")") fail(`expected ")" but found "${close.text}"`, close);
      return inner;
    }
    pos--;
    return parsePrimary();
  }

  function parsePrimary(): Node {
    let t = take("a condition");
    let side: "src" | "dst" | null = null;
    if (t.text === "src" || t.text === "dst") {
      side = t.text;
      t = take(`"host", "net" or "port" after "${side}"`);
    }
    switch (t.text) {
      case "host": {
        const v = take("an address");
        let host: Cidr;
        try { host = parseCidr(v.text); } catch { return fail(`"${v.text}" is not an IP address`, v); }
        if (v.text.includes("/")) fail(`"${v.text}" is a prefix: use "net"`, v);
        return { op: "endpoint", side, test: (e) => cidrMatches(host, e.addr) };
      }
      case "net": {
        const v = take("a CIDR prefix");
        let cidr: Cidr;
        try { cidr = parseCidr(v.text); } catch { return fail(`"${v.text}" is not a CIDR prefix`, v); }
        return { op: "endpoint", side, test: (e) => cidrMatches(cidr, e.addr) };
      }
      case "port": {
        const v = take("a port number");
        const port = Number(v.text);
        if (!/^\d+$/.test(v.text) || port > 65535) fail(`"${v.text}" is not a port number`, v);
        return { op: "endpoint", side, test: (e) => e.port === port };
      }
    }
    if (side) fail(`expected "host", "net" or "port" after "${side}", found "${t.text}"`, t);
    const value = (kind: string, allowed: string[]) => {
      const v = take(`a ${kind}`);
      const match = allowed.find((a) => a.toLowerCase() === v.text.toLowerCase());
      if (!match) fail(`unknown ${kind} "${v.text}" (one of: ${allowed.join(", ")})`, v);
      return match!;
    };
    switch (t.text) {
      case "state": { const s = value("state", STATES); return { op: "record", test: (c) => c.connState === s }; }
      case "outcome": { const o = value("outcome", OUTCOMES); return { op: "record", test: (c) => c.handshake.outcome === o }; }
      case "teardown": { const k = value("teardown", TEARDOWNS); return { op: "record", test: (c) => c.teardown.kind === k }; }
      case "id": {
        const v = take("a connection id");
        if (!/^\d+$/.test(v.text)) fail(`"${v.text}" is not a connection id`, v);
        return { op: "id", id: Number(v.text) };
      }
    }
    return fail(`unexpected "${t.text}" (expected host, net, port, src, dst, state, outcome, teardown, id, not or "(")`, t);
  }

  if (tokens.length === 0) fail("empty filter");
  const root = parseOr();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]!.text}"`, tokens[pos]);
  return {
    matches: (c) => evaluate(root, c),
    mayMatch: (c) => provisional(root, c) !== false,
  };
}
