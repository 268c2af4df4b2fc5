// The filter language's words: operators (and the C-style && || ! that tcpdump and Wireshark
// users type), parentheses, the comparisons of measures (> >= < <= == != =), and everything
// else up to white space or one of those.

export class FilterSyntaxError extends Error {
  /** `column`: the token's 0-based offset in `expression` (the message counts columns from 1, as editors do). */
  constructor(message: string, readonly column: number, readonly expression: string) {
    super(`${message} at column ${column + 1} of "${expression}"`);
    this.name = "FilterSyntaxError";
  }
}

export interface Token {
  text: string;
  /** 0-based offset in the expression. */
  at: number;
}

const TOKEN = /\s*(&&|\|\||>=|<=|==|!=|[<>=]|[()!&|]|[^\s()!&|<>=]+)/y;

export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < expression.length && (m = TOKEN.exec(expression))) {
    tokens.push({ text: m[1]!, at: m.index + m[0].length - m[1]!.length });
  }
  return tokens;
}

export const isAnd = (t: Token | undefined) => t?.text === "and" || t?.text === "&&";
export const isOr = (t: Token | undefined) => t?.text === "or" || t?.text === "||";
export const isNot = (t: Token | undefined) => t?.text === "not" || t?.text === "!";
