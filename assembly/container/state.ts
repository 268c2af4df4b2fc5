// Decoder state shared by the container readers: where decoding stopped and why.

import { STATUS_NEED_MORE, STATUS_ERROR, ERR_NONE, FORMAT_UNKNOWN } from "../layout";

export let status: i32 = STATUS_NEED_MORE;
export let errorCode: i32 = ERR_NONE;
export let errorOffset: f64 = 0;
export let errorPacket: f64 = 0;
export let errorValue: f64 = 0;
export let format: i32 = FORMAT_UNKNOWN;
export let packetIndex: f64 = 0; // packets decoded so far = index of the next one
export let lastTsSec: f64 = 0; //   for pcapng Simple Packet Blocks, which carry no timestamp
export let lastTsNsec: u32 = 0;

export function resetState(): void {
  status = STATUS_NEED_MORE;
  errorCode = ERR_NONE;
  errorOffset = 0;
  errorPacket = 0;
  errorValue = 0;
  format = FORMAT_UNKNOWN;
  packetIndex = 0;
  lastTsSec = 0;
  lastTsNsec = 0;
}

export function setStatus(s: i32): void { status = s; }
export function setFormat(f: i32): void { format = f; }
export function nextPacket(tsSec: f64, tsNsec: u32): void {
  packetIndex += 1;
  lastTsSec = tsSec;
  lastTsNsec = tsNsec;
}

// A frame with no timestamp of its own to remember (a Simple Packet Block after it keeps the one before).
export function skipFrame(): void {
  packetIndex += 1;
}

// A fatal input error at byte `offset` of the input; nothing after it is decoded.
export function fail(code: i32, offset: f64, value: f64): void {
  status = STATUS_ERROR;
  errorCode = code;
  errorOffset = offset;
  errorPacket = packetIndex;
  errorValue = value;
}
