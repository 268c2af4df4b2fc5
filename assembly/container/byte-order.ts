// Reads in the byte order of the container being decoded (pcap header or pcapng section),
// which may differ from the host's. Only one container is decoded at a time.

let swapped = false;

export function setSwapped(value: bool): void { swapped = value; }
export function isSwapped(): bool { return swapped; }

@inline export function rd16(p: usize): u32 {
  const v = load<u16>(p);
  return <u32>(swapped ? bswap<u16>(v) : v);
}

@inline export function rd32(p: usize): u32 {
  const v = load<u32>(p);
  return swapped ? bswap<u32>(v) : v;
}

@inline export function rd64(p: usize): u64 {
  const v = load<u64>(p);
  return swapped ? bswap<u64>(v) : v;
}
