// The text options of pcapng Section Header and Interface Description Blocks, as capinfos shows
// them: the capturing machine's hardware, OS and application (shb_hardware, shb_os,
// shb_userappl), each interface's name, description, filter, OS and hardware (if_name,
// if_description, if_filter, if_os, if_hardware), and comments. Read from the block's bytes
// while they are still in the decoder's input arena; the decoder itself reads only the
// options it needs for packets (if_tsresol, if_tsoffset, if_fcslen).

export interface SectionOptions {
  hardware?: string;
  os?: string;
  application?: string;
  comments?: string[];
}

export interface InterfaceOptions {
  name?: string;
  description?: string;
  filter?: string;
  os?: string;
  hardware?: string;
  comments?: string[];
}

const OPT_COMMENT = 1;
const SHB_OPTIONS_AT = 24; // type, length, byte-order magic, version, section length
const IDB_OPTIONS_AT = 16; // type, length, link type, reserved, snaplen
const utf8 = new TextDecoder("utf-8", { fatal: false });

/** The options of the block at `at` in `bytes` (whole, as its length field says), by code. */
function readOptions(bytes: Uint8Array, at: number, optionsAt: number, bigEndian: boolean): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  if (at < 0 || at + 12 > bytes.length) return out;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, bytes.length - at);
  const blockLength = view.getUint32(4, !bigEndian);
  if (blockLength < optionsAt + 4 || blockLength > view.byteLength) return out;
  const end = blockLength - 4;
  for (let p = optionsAt; p + 4 <= end;) {
    const code = view.getUint16(p, !bigEndian), length = view.getUint16(p + 2, !bigEndian);
    if (code === 0 || p + 4 + length > end) break; // opt_endofopt, or an impossible length
    const value = bytes.subarray(at + p + 4, at + p + 4 + length);
    const list = out.get(code);
    if (list) list.push(value); else out.set(code, [value]);
    p += 4 + ((length + 3) & ~3);
  }
  return out;
}

// A block may be up to 16 MiB of options: each text is kept to its first TEXT_BYTES bytes, and a
// block's first COMMENTS comments, so that what a summary holds stays small whatever the file says.
const TEXT_BYTES = 1024;
const COMMENTS = 16;
const text = (v: Uint8Array) => v.length > TEXT_BYTES
  ? `${utf8.decode(v.subarray(0, TEXT_BYTES)).replace(/\uFFFD$/, "")}… (${v.length} bytes)`
  : utf8.decode(v).replace(/\0+$/, "");

function pick<K extends string>(options: Map<number, Uint8Array[]>, codes: Record<K, number>): Partial<Record<K, string>> & { comments?: string[] } {
  const out: Partial<Record<K, string>> & { comments?: string[] } = {};
  for (const [key, code] of Object.entries(codes) as [K, number][]) {
    const v = options.get(code)?.[0];
    if (v && v.length) (out as Record<K, string>)[key] = text(v);
  }
  const comments = options.get(OPT_COMMENT)?.filter((c) => c.length > 0).slice(0, COMMENTS).map(text).filter(Boolean);
  if (comments?.length) out.comments = comments;
  return out;
}

export function sectionOptions(bytes: Uint8Array, at: number, bigEndian: boolean): SectionOptions {
  return pick(readOptions(bytes, at, SHB_OPTIONS_AT, bigEndian), { hardware: 2, os: 3, application: 4 });
}

export function interfaceOptions(bytes: Uint8Array, at: number, bigEndian: boolean): InterfaceOptions {
  const options = readOptions(bytes, at, IDB_OPTIONS_AT, bigEndian);
  const out: InterfaceOptions = pick(options, { name: 2, description: 3, os: 12, hardware: 15 });
  // if_filter: a type byte, then the filter; type 0 is a libpcap filter string.
  const filter = options.get(11)?.[0];
  if (filter && filter.length > 1 && filter[0] === 0) out.filter = text(filter.subarray(1));
  return out;
}
