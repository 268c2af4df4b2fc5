// Capture statistics, warnings and metadata events: the decoder's side channel to the SDK.

import {
  STAT_COUNT, WARN_COUNT, WARN_SLOT_SIZE, META_CAPACITY, META_SLOT_SIZE,
  STAT_FIRST_TS_SEC, STAT_LAST_TS_SEC, STAT_FIRST_TS_NSEC, STAT_LAST_TS_NSEC, STAT_EARLIEST_TS_SEC, STAT_EARLIEST_TS_NSEC,
  WARN_TS_FAR_FROM_FIRST, TS_FAR_SECONDS,
} from "./layout";
import { STATS_PTR, WARN_PTR, META_PTR } from "./memory";

@inline export function countStat(slot: i32): void {
  const p = STATS_PTR + (<usize>slot << 3);
  store<f64>(p, load<f64>(p) + 1.0);
}

@inline export function addStat(slot: i32, amount: f64): void {
  const p = STATS_PTR + (<usize>slot << 3);
  store<f64>(p, load<f64>(p) + amount);
}

@inline export function setStat(slot: i32, value: f64): void {
  store<f64>(STATS_PTR + (<usize>slot << 3), value);
}

export function resetCounters(): void {
  memory.fill(STATS_PTR, 0, <usize>STAT_COUNT * 8);
  // NaN, not -1: a time before 1970 (a pcapng if_tsoffset below zero) is negative.
  setStat(STAT_FIRST_TS_SEC, NaN);
  memory.fill(WARN_PTR, 0, <usize>(WARN_COUNT * WARN_SLOT_SIZE) * 8);
  metaCount = 0;
}

/** Whether a packet with a time of its own has been read since the reset (noteTimestamp sets the first). */
@inline export function anyTimestamp(): bool {
  return !isNaN(load<f64>(STATS_PTR + (<usize>STAT_FIRST_TS_SEC << 3)));
}

@inline export function noteTimestamp(sec: f64, nsec: u32, offset: f64, packet: f64): void {
  const earliestSec = load<f64>(STATS_PTR + (<usize>STAT_EARLIEST_TS_SEC << 3));
  const firstSec = load<f64>(STATS_PTR + (<usize>STAT_FIRST_TS_SEC << 3));
  if (isNaN(firstSec)) {
    setStat(STAT_FIRST_TS_SEC, sec);
    setStat(STAT_FIRST_TS_NSEC, <f64>nsec);
    setStat(STAT_EARLIEST_TS_SEC, sec);
    setStat(STAT_EARLIEST_TS_NSEC, <f64>nsec);
    setStat(STAT_LAST_TS_SEC, sec);
    setStat(STAT_LAST_TS_NSEC, <f64>nsec);
    return;
  }
  if (abs(sec - firstSec) >= TS_FAR_SECONDS) warnFarthest(WARN_TS_FAR_FROM_FIRST, offset, packet, sec - firstSec);
  if (sec < earliestSec || (sec == earliestSec && <f64>nsec < load<f64>(STATS_PTR + (<usize>STAT_EARLIEST_TS_NSEC << 3)))) {
    setStat(STAT_EARLIEST_TS_SEC, sec);
    setStat(STAT_EARLIEST_TS_NSEC, <f64>nsec);
  }
  // "Last" is the latest seen, not the last in file order: captures are not always sorted.
  const lastSec = load<f64>(STATS_PTR + (<usize>STAT_LAST_TS_SEC << 3));
  const lastNsec = load<f64>(STATS_PTR + (<usize>STAT_LAST_TS_NSEC << 3));
  if (sec > lastSec || (sec == lastSec && <f64>nsec > lastNsec)) {
    setStat(STAT_LAST_TS_SEC, sec);
    setStat(STAT_LAST_TS_NSEC, <f64>nsec);
  }
}

export function warn(code: i32, offset: f64, packet: f64, value: f64): void {
  const p = WARN_PTR + <usize>(code * WARN_SLOT_SIZE) * 8;
  const n = load<f64>(p);
  if (n == 0) {
    store<f64>(p, offset, 8);
    store<f64>(p, packet, 16);
    store<f64>(p, value, 24);
  }
  store<f64>(p, n + 1);
}

/**
 * As warn(), but the value kept is the count's largest in magnitude (the first's offset and
 * packet stay): a time far from the first packet's says the precision lost, and the farthest
 * one loses the most.
 */
export function warnFarthest(code: i32, offset: f64, packet: f64, value: f64): void {
  const p = WARN_PTR + <usize>(code * WARN_SLOT_SIZE) * 8;
  const n = load<f64>(p);
  warn(code, offset, packet, value);
  if (n != 0 && abs(value) > abs(load<f64>(p, 24))) store<f64>(p, value, 24);
}

// Metadata ring: the SDK drains it after every decode() call, so it only has to hold the
// events of one call; decode() stops early (STATUS_OUTPUT_FULL) before it would overflow.
export let metaCount: i32 = 0;

@inline export function metaFull(): bool { return metaCount >= META_CAPACITY; }

export function pushMeta(kind: i32, a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, g: f64, h: f64): void {
  const p = META_PTR + <usize>(metaCount * META_SLOT_SIZE) * 8;
  store<f64>(p, <f64>kind);
  store<f64>(p, a, 8);
  store<f64>(p, b, 16);
  store<f64>(p, c, 24);
  store<f64>(p, d, 32);
  store<f64>(p, e, 40);
  store<f64>(p, f, 48);
  store<f64>(p, g, 56);
  store<f64>(p, h, 64);
  metaCount++;
}

export function clearMeta(): void { metaCount = 0; }
