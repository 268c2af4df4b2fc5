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

// A block may be up to 16 MiB of options (4 M empty ones): the walk keeps only what is shown,
// the first value of each code asked for and the first COMMENTS non-empty comments, each text
// to its first TEXT_BYTES bytes; and a capture's texts share one budget (OptionTextBudget), so
// that what a summary holds stays small whatever the file says, however many sections and
// interfaces it lists (1 000 of each are kept, each with up to ~20 texts).
const TEXT_BYTES = 1024;
const COMMENTS = 16;
/** Characters of option text kept for one capture, over all its sections and interfaces. */
export const CAPTURE_TEXT_CHARS = 64 * 1024;

/** What is left of a capture's option text (one per decoder: each capture has its own), and the texts past it. */
export class OptionTextBudget {
  left = CAPTURE_TEXT_CHARS;
  /** Texts not kept for want of it (left out of their section or interface). */
  notKept = 0;
}

/** The first value of each code in `codes`, and the block's first non-empty comments, by code. */
function readOptions(bytes: Uint8Array, at: number, optionsAt: number, bigEndian: boolean, codes: readonly number[]): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  if (at < 0 || at + 12 > bytes.length) return out;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, bytes.length - at);
  const blockLength = view.getUint32(4, !bigEndian);
  if (blockLength < optionsAt + 4 || blockLength > view.byteLength) return out;
  const end = blockLength - 4;
  for (let p = optionsAt; p + 4 <= end;) {
    const code = view.getUint16(p, !bigEndian), length = view.getUint16(p + 2, !bigEndian);
    if (code === 0 || p + 4 + length > end) break; // opt_endofopt, or an impossible length
    const list = out.get(code);
    const wanted = code === OPT_COMMENT ? length > 0 && (list?.length ?? 0) < COMMENTS : !list && codes.includes(code);
    if (wanted) {
      const value = bytes.subarray(at + p + 4, at + p + 4 + length);
      if (list) list.push(value); else out.set(code, [value]);
    }
    p += 4 + ((length + 3) & ~3);
  }
  return out;
}

/** A text option as shown: its first TEXT_BYTES bytes; null past the capture's budget (counted there). */
function text(v: Uint8Array, budget: OptionTextBudget): string | null {
  if (budget.left <= 0) {
    budget.notKept++;
    return null;
  }
  const shown = v.length > TEXT_BYTES
    ? `${utf8.decode(v.subarray(0, TEXT_BYTES)).replace(/\uFFFD$/, "")}… (${v.length} bytes)`
    : utf8.decode(v).replace(/\0+$/, "");
  budget.left -= shown.length;
  return shown;
}

function pick<K extends string>(options: Map<number, Uint8Array[]>, codes: Record<K, number>, budget: OptionTextBudget): Partial<Record<K, string>> & { comments?: string[] } {
  const out: Partial<Record<K, string>> & { comments?: string[] } = {};
  for (const [key, code] of Object.entries(codes) as [K, number][]) {
    const v = options.get(code)?.[0];
    const shown = v && v.length ? text(v, budget) : null;
    if (shown !== null) (out as Record<K, string>)[key] = shown;
  }
  const comments = options.get(OPT_COMMENT)?.map((c) => text(c, budget)).filter((c): c is string => Boolean(c));
  if (comments?.length) out.comments = comments;
  return out;
}

const SECTION_TEXTS = { hardware: 2, os: 3, application: 4 };
const INTERFACE_TEXTS = { name: 2, description: 3, os: 12, hardware: 15 };
const IF_FILTER = 11;

export function sectionOptions(bytes: Uint8Array, at: number, bigEndian: boolean, budget: OptionTextBudget): SectionOptions {
  return pick(readOptions(bytes, at, SHB_OPTIONS_AT, bigEndian, Object.values(SECTION_TEXTS)), SECTION_TEXTS, budget);
}

export function interfaceOptions(bytes: Uint8Array, at: number, bigEndian: boolean, budget: OptionTextBudget): InterfaceOptions {
  const options = readOptions(bytes, at, IDB_OPTIONS_AT, bigEndian, [...Object.values(INTERFACE_TEXTS), IF_FILTER]);
  const out: InterfaceOptions = pick(options, INTERFACE_TEXTS, budget);
  // if_filter: a type byte, then the filter; type 0 is a libpcap filter string.
  const filter = options.get(IF_FILTER)?.[0];
  const shown = filter && filter.length > 1 && filter[0] === 0 ? text(filter.subarray(1), budget) : null;
  if (shown !== null) out.filter = shown;
  return out;
}
