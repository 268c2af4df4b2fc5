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

interface Token { text: string; at: number }

const OUTCOMES = ["complete", "rejected", "unanswered", "syn-ack-only", "aborted", "simultaneous-open", "mid-stream", "invalid"];
const TEARDOWNS = ["fin", "fin-3", "simultaneous-close", "rst-orig", "rst-resp", "fin-then-rst", "half-closed-orig", "half-closed-resp", "open", "timeout"];
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
  try {
    const a = parseCidr(addr);
    if (a.version !== c.version) return false;
    const bytes = new Uint8Array(a.words.buffer), prefix = new Uint8Array(c.words.buffer);
    let bits = c.bits;
    for (let k = 0; bits > 0; k++, bits -= 8) {
      const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((bytes[k]! & mask) !== (prefix[k]! & mask)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

export function compileFilter(expression: string): ConnectionPredicate {
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

  function parseOr(): ConnectionPredicate {
    let left = parseAnd();
    while (peek()?.text === "or") {
      pos++;
      const l = left, r = parseAnd();
      left = (c) => l(c) || r(c);
    }
    return left;
  }

  function parseAnd(): ConnectionPredicate {
    let left = parseUnary();
    for (;;) {
      const t = peek();
      if (!t || t.text === "or" || t.text === ")") return left;
      if (t.text === "and") pos++;
      const l = left, r = parseUnary();
      left = (c) => l(c) && r(c);
    }
  }

  function parseUnary(): ConnectionPredicate {
    const t = take("a condition");
    if (t.text === "not") {
      const inner = parseUnary();
      return (c) => !inner(c);
    }
    if (t.text === "(") {
      const inner = parseOr();
      const close = take('")"');
      if (close.text !== ")") fail(`expected ")" but found "${close.text}"`, close);
      return inner;
    }
    pos--;
    return parsePrimary();
  }

  function parsePrimary(): ConnectionPredicate {
    let t = take("a condition");
    let side: "src" | "dst" | null = null;
    if (t.text === "src" || t.text === "dst") {
      side = t.text;
      t = take(`"host", "net" or "port" after "${side}"`);
    }
    const endpoints = (c: ConnectionRecord) => (side === "src" ? [c.orig] : side === "dst" ? [c.resp] : [c.orig, c.resp]);
    switch (t.text) {
      case "host": {
        const v = take("an address");
        let host: Cidr;
        try { host = parseCidr(v.text); } catch { return fail(`"${v.text}" is not an IP address`, v); }
        if (v.text.includes("/")) fail(`"${v.text}" is a prefix: use "net"`, v);
        return (c) => endpoints(c).some((e) => cidrMatches(host, e.addr));
      }
      case "net": {
        const v = take("a CIDR prefix");
        let cidr: Cidr;
        try { cidr = parseCidr(v.text); } catch { return fail(`"${v.text}" is not a CIDR prefix`, v); }
        return (c) => endpoints(c).some((e) => cidrMatches(cidr, e.addr));
      }
      case "port": {
        const v = take("a port number");
        const port = Number(v.text);
        if (!/^\d+$/.test(v.text) || port > 65535) fail(`"${v.text}" is not a port number`, v);
        return (c) => endpoints(c).some((e) => e.port === port);
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
      case "state": { const s = value("state", STATES); return (c) => c.connState === s; }
      case "outcome": { const o = value("outcome", OUTCOMES); return (c) => c.handshake.outcome === o; }
      case "teardown": { const k = value("teardown", TEARDOWNS); return (c) => c.teardown.kind === k; }
      case "id": {
        const v = take("a connection id");
        if (!/^\d+$/.test(v.text)) fail(`"${v.text}" is not a connection id`, v);
        const id = Number(v.text);
        return (c) => c.id === id;
      }
    }
    return fail(`unexpected "${t.text}" (expected host, net, port, src, dst, state, outcome, teardown, id, not or "(")`, t);
  }

  if (tokens.length === 0) fail("empty filter");
  const predicate = parseOr();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]!.text}"`, tokens[pos]);
  return predicate;
}
