// The captures named on the command line, in the order to read them: by the timestamp of
// their first packet, so that rotated files read as one capture whatever their names. A
// capture that can be read only once (a named pipe, `<(...)`, standard input) is peeked at
// without losing what the peek read (peekInput).

import { peekInput, type CaptureInput } from "../sdk/index.js";

export async function orderByFirstPacket(files: string[]): Promise<CaptureInput[]> {
  if (files.length < 2) return files;
  const stamped = await Promise.all(files.map(async (file, index) => {
    const { first, input } = await peekInput(file);
    return { input, index, key: first ? first.sec + first.nsec / 1e9 : Infinity };
  }));
  return stamped.sort((a, b) => a.key - b.key || a.index - b.index).map((s) => s.input);
}
