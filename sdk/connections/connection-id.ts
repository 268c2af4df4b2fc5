// A connection's id from its key. The trackers key each connection by the frame number of its
// first packet plus, when that frame made several packet records (an 802.11 A-MSDU's TCP
// subframes), the record's subframe fraction (assembly/layout.ts, SUBFRAME_STEPS): connections
// that begin in one frame share its number as their id, but each has a key of its own, which
// the canonical order (end time, then key) and the ladders' matching go by. Everything shown
// (ids, first packets) is the whole part.

/** The id (frame number, 1-based) of the connection whose key is `key`. */
export function connectionId(key: number): number {
  return Math.floor(key);
}

/** Whether a connection's key is its id: its frame made one record, so no other connection shares the id. */
export function keyIsId(key: number): boolean {
  return Number.isInteger(key);
}
