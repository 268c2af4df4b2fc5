// The captures named on the command line, in the order to read them: by the timestamp of
// their first packet, so that rotated files read as one capture whatever their names.

import { peekFirstTimestamp } from "../sdk/index.js";

export async function orderByFirstPacket(files: string[]): Promise<string[]> {
  if (files.length < 2 || files.includes("-")) return files;
  const stamped = await Promise.all(files.map(async (file, index) => {
    let t: { sec: number; nsec: number } | null = null;
    try { t = await peekFirstTimestamp(file); } catch { /* unreadable: reported when read */ }
    return { file, index, key: t ? t.sec + t.nsec / 1e9 : Infinity };
  }));
  return stamped.sort((a, b) => a.key - b.key || a.index - b.index).map((s) => s.file);
}
