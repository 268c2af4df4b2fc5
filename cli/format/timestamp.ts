// Timestamps as users read them: exact epoch strings and ISO 8601 UTC.

import { epochString as epoch, type Timestamp } from "../../sdk/index.js";
import { isoSeconds } from "../../sdk/decoder/timestamp.js";

/** "1591780863.720289000": seconds and nanoseconds, as tshark prints frame.time_epoch. */
export function epochString(t: Timestamp): string {
  return epoch(t.sec, t.nsec);
}

/** "2020-06-10T09:21:03.720289000Z". */
export function isoString(t: Timestamp): string {
  const date = isoSeconds(t.sec);
  if (date === null) return epochString(t);
  return `${date}.${String(t.nsec).padStart(9, "0")}Z`;
}

/** Seconds between two timestamps, as a decimal string with nanosecond precision. */
export function durationString(from: Timestamp, to: Timestamp): string {
  let sec = to.sec - from.sec;
  let nsec = to.nsec - from.nsec;
  if (nsec < 0) { sec -= 1; nsec += 1e9; }
  return epoch(sec, nsec);
}
