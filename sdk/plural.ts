// "1 connection", "2 connections": a count and its noun, for the words the tool writes
// (ladder explanations, the summary's lists and notes).

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
