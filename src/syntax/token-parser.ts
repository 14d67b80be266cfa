import {
  EmbeddedActionsParser,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from 'chevrotain';
import { K_EOF, TOKEN_OF_KIND, type TokenList } from './token-list.js';

// Messages are built by the recovery code from the parse context; chevrotain's own text is
// never shown, so keep it short and cheap to build.
const silentMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: () => 'syntax error',
  buildNotAllInputParsedMessage: () => 'syntax error',
  buildNoViableAltMessage: () => 'syntax error',
  buildEarlyExitMessage: () => 'syntax error',
};

/**
 * A chevrotain parser that reads a TokenList (typed arrays of token kinds) instead of an array of
 * token objects, and keeps its own place in it; the grammar (parser.ts) builds on it.
 */
export abstract class TokenListParser extends EmbeddedActionsParser {
  /** Kinds of the tokens being parsed, and how many there are (see LA). */
  private kinds: Uint8Array = new Uint8Array(2);
  private count = 0;
  /**
   * Index of the token consumed last (LA(0)). The parser keeps its own place instead of reading
   * chevrotain's: every token is consumed through `eat`, and LA reads relative to this.
   */
  protected at = -1;

  constructor(tokens: TokenType[]) {
    super(tokens, {
      recoveryEnabled: false,
      maxLookahead: 1,
      errorMessageProvider: silentMessages,
      // The grammar is fixed: checking it for ambiguities on every start costs a one-shot
      // `tamis check` real time, so only the test suite does it.
      skipValidations: process.env.VITEST === undefined,
    });
  }

  /** CONSUME that also moves the parser's own cursor. */
  protected eat(type: TokenType): IToken {
    const token = this.CONSUME(type);
    this.at++;
    return token;
  }

  // chevrotain reads tokens only through LA and LA_FAST, which may be overridden; these read the
  // kinds of the TokenList, so no array of token objects is built.

  protected override LA_FAST(howMuch: number): IToken {
    return TOKEN_OF_KIND[this.kinds[this.at + howMuch]!]!;
  }

  protected override LA(howMuch: number): IToken {
    const i = this.at + howMuch;
    return TOKEN_OF_KIND[i < 0 || i >= this.count ? K_EOF : this.kinds[i]!]!;
  }

  /** Sets the tokens to parse (and resets chevrotain's state). */
  setTokens(tokens: TokenList): void {
    this.kinds = tokens.kinds;
    this.count = tokens.length;
    this.input = [];
    this.at = -1;
  }

  /** Index in st.tokens of the token consumed last (LA(0)). */
  last(): number {
    return this.at;
  }

  /** Continue parsing at st.tokens[index]. */
  jumpTo(index: number): void {
    this.at = index - 1;
  }
}
