// Selecting connections with an expression in the spirit of tcpdump's and Wireshark's filters
// (the grammar is in parse-filter.ts; the forms are listed in the README). Examples:
//   host 10.0.0.5 and not port 22
//   tcp dst port 443 && (outcome rejected || outcome unanswered)
//   net 2001:db8::/32 and state RSTR
//   host [fd00::2]:80          (an endpoint, as the summary prints it)
// Errors name the token and its column.

import type { ConnectionRecord } from "../connections/connection-record.js";
import type { RecordValues } from "../connections/record-values.js";
import { parseFilter, type FilterNode } from "./parse-filter.js";
import { RecordFields, type FilterFields } from "./filter-fields.js";
import { checkFilterExpression } from "../options.js";

export { FilterSyntaxError } from "./tokens.js";

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
  /**
   * When set, no connection whose id is not in it matches (the expression pins ids: `id 42`,
   * `id 42 and port 80`, `id 1 or id 9`): a ladder's scan then stops once these have ended.
   */
  onlyIds?: ReadonlySet<number>;
}

function evaluate(n: FilterNode, c: FilterFields): boolean {
  switch (n.op) {
    case "and":
      for (const x of n.xs) if (!evaluate(x, c)) return false;
      return true;
    case "or":
      for (const x of n.xs) if (evaluate(x, c)) return true;
      return false;
    case "not": return !evaluate(n.x, c);
    case "endpoint":
      return n.side === "src" ? n.test(c.orig) : n.side === "dst" ? n.test(c.resp)
        : n.side === "either" ? n.test(c.orig) || n.test(c.resp) : n.test(c.orig) && n.test(c.resp);
    case "fields": return n.test(c);
    case "id": return c.id === n.id;
    case "all": return true;
  }
}

// Kleene three-valued logic: true, false, or null for "not known yet".
function provisional(n: FilterNode, c: ProvisionalConnection): boolean | null {
  switch (n.op) {
    case "and": {
      let known = true;
      for (const x of n.xs) {
        const v = provisional(x, c);
        if (v === false) return false;
        if (v === null) known = false;
      }
      return known ? true : null;
    }
    case "or": {
      let known = true;
      for (const x of n.xs) {
        const v = provisional(x, c);
        if (v === true) return true;
        if (v === null) known = false;
      }
      return known ? false : null;
    }
    case "not": {
      const x = provisional(n.x, c);
      return x === null ? null : !x;
    }
    case "endpoint": {
      const a = n.test(c.a), b = n.test(c.b);
      if (n.side === "either") return a || b;
      if (n.side === "both") return a && b;
      return a === b ? a : null; // which side is the originator may still change
    }
    case "fields": return null;
    case "id": return c.id === n.id;
    case "all": return true;
  }
}

/** The ids two conditions that must both hold pin (either's when the other pins none), or null. */
export function bothPinned(a: ReadonlySet<number> | null | undefined, b: ReadonlySet<number> | null | undefined): ReadonlySet<number> | null {
  if (a && b) return new Set([...a].filter((id) => b.has(id)));
  return a ?? b ?? null;
}

/** The only ids `n` can match, or null when it can match others. */
function pinnedIds(n: FilterNode): ReadonlySet<number> | null {
  switch (n.op) {
    case "id": return new Set([n.id]);
    case "and": {
      let ids: ReadonlySet<number> | null = null;
      for (const x of n.xs) ids = bothPinned(ids, pinnedIds(x));
      return ids;
    }
    case "or": {
      const ids = new Set<number>();
      for (const x of n.xs) {
        const pinned = pinnedIds(x);
        if (!pinned) return null;
        for (const id of pinned) ids.add(id);
      }
      return ids;
    }
    default: return null;
  }
}

/** A compiled expression, which also reads a connection's record values (what a scan writes its lines from). */
export interface CompiledFilter extends ConnectionFilter {
  /** matches() of the record built from `v`. */
  matchesValues(v: RecordValues): boolean;
}

/**
 * `c` when it is shaped as a connection record (both endpoints objects), else a TypeError that
 * says what was passed: an SDK user's mistake (matches(undefined) after a failed lookup) would
 * otherwise surface as "Cannot read properties of undefined (reading 'port')" from inside.
 */
function checkedRecord(c: ConnectionRecord): ConnectionRecord {
  const given = c as unknown;
  if (given !== null && typeof given === "object" && typeof c.orig === "object" && c.orig !== null && typeof c.resp === "object" && c.resp !== null) return c;
  const what = given === null ? "null" : Array.isArray(given) ? "an array" : typeof given === "object" ? "an object without orig and resp" : typeof given;
  throw new TypeError(`filter.matches: expected a connection record (as a scan yields), got ${what}`);
}

/** Compiles a filter expression; throws FilterSyntaxError naming the token and its column. */
export function compileFilter(expression: string): CompiledFilter {
  checkFilterExpression(expression);
  const root = parseFilter(expression);
  const onlyIds = pinnedIds(root);
  return {
    matches: (c) => evaluate(root, new RecordFields(checkedRecord(c))),
    matchesValues: (v) => evaluate(root, v),
    mayMatch: (c) => provisional(root, c) !== false,
    ...(onlyIds ? { onlyIds } : {}),
  };
}
