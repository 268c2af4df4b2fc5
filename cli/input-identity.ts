// Captures and the output compared by what they are (device and inode), not by how they are
// spelled: the same file given twice would be counted twice, and an output that is also an
// input would be overwritten while it is read (`-o victim.pcap victim.pcap` truncated it).

import { fstatSync, type Stats } from "node:fs";
import { fileStatus, repeatedFile, sameFile } from "../sdk/file-identity.js";
import { UsageError } from "./usage-error.js";

const spell = (file: string) => (file === "-" ? "- (standard input)" : file);

/**
 * Throws UsageError when two captures are one file, or when the output (-o FILE, or a regular
 * file standard output is redirected to) is one of them. `distinct`: false for info, which
 * describes each capture on its own.
 */
export function checkInputsAndOutput(files: readonly string[], output: string | undefined, distinct = true): void {
  const ids = files.map(fileStatus);
  const repeated = distinct ? repeatedFile(files, ids) : null;
  if (repeated) {
    const [j, i] = repeated;
    // Standard input that is a terminal or the same pipe twice is refused alike.
    throw new UsageError(files[i] === files[j]
      ? `${spell(files[i]!)} is given twice: each capture once (its connections would be counted twice)`
      : `${spell(files[j]!)} and ${spell(files[i]!)} are the same file: each capture once (its connections would be counted twice)`);
  }
  const toFile = output !== undefined && output !== "-";
  const out = toFile ? fileStatus(output) : identity1();
  if (!out || (!toFile && !out.isFile())) return;
  files.forEach((file, k) => {
    if (ids[k] && sameFile(ids[k]!, out)) {
      throw new UsageError(toFile
        ? `-o ${output} is the capture ${spell(file)}: it would be overwritten (write elsewhere)`
        : `standard output is the capture ${spell(file)}: it would be written while read (write elsewhere)`);
    }
  });
}

// Standard output, when it is a file (a redirection): null otherwise.
function identity1(): Stats | null {
  try { return fstatSync(1); } catch { return null; }
}
