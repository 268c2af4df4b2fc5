// The lines after the ladders: how many matches could not be drawn (a stream read once, past the
// packets memory holds), and how many were drawn of how many matched. The hint at
// --ladder-limit goes only where the limit left matches out: with --ladder-limit none (or a
// limit above the matches) a shortfall is memory's, and the limit would not draw more.

export function ladderEndLines(selection: string, drawn: number, matched: number, filter?: string, notDrawn = 0): string[] {
  const alsoFiltered = filter !== undefined ? ` and --filter "${filter}"` : "";
  const lines: string[] = [];
  if (notDrawn > 0) {
    lines.push(`${notDrawn} of the first connections matching "${selection}"${alsoFiltered} could not be drawn: ` +
      "read once from a stream, more connections that could be drawn were open at once than their packets fit in memory (~100 000 packets), and the latest-begun ones' were let go; " +
      "a capture given as a file is read as often as it takes and draws them.");
  }
  if (matched > drawn + notDrawn) {
    lines.push(`Drew ${drawn} of the ${matched} connections matching "${selection}"${alsoFiltered}, the first by frame number (--ladder-limit N draws more, --ladder-limit none all).`);
  } else if (matched > drawn) {
    lines.push(`Drew ${drawn} of the ${matched} connections matching "${selection}"${alsoFiltered}.`);
  } else if (matched > 1) {
    lines.push(`Drew the ${matched} connections matching "${selection}"${alsoFiltered}.`);
  }
  return lines;
}
