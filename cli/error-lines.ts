// What the command says on standard error: one line each, whatever a file name holds. A name's
// control characters (a newline, an escape sequence that would recolour the terminal) are written
// as \n, \r, \t or \xHH, and a backslash as \\, as `ls -b` shows them.

/** `text` with its control characters (C0, DEL, C1) and backslashes written as escapes: one line, nothing a terminal acts on. */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\\]/g, (c) => {
    switch (c) {
      case "\\": return "\\\\";
      case "\n": return "\\n";
      case "\r": return "\\r";
      case "\t": return "\\t";
      default: return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
    }
  });
}

/** Writes "tcp-handshake-scan: " and `text` on standard error, as one line. */
export function sayError(text: string): void {
  process.stderr.write(`tcp-handshake-scan: ${escapeControls(text)}\n`);
}
