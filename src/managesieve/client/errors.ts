/** A NO or BYE from the server. `code` is the upper-cased response code, e.g. 'QUOTA/MAXSIZE' or 'NONEXISTENT'. */
export class ManageSieveError extends Error {
  override name = 'ManageSieveError';
  readonly code?: string;
  readonly codeArgs?: string[];
  readonly response: 'NO' | 'BYE';
  /** The command that got this answer (its name only, never its arguments). */
  readonly command?: string;

  constructor(response: 'NO' | 'BYE', text: string, code?: string, codeArgs?: string[], command?: string) {
    super(text || `${command ?? 'command'} failed with ${response}${code ? ` (${code})` : ''}`);
    this.response = response;
    if (code !== undefined) this.code = code;
    if (codeArgs !== undefined && codeArgs.length > 0) this.codeArgs = codeArgs;
    if (command !== undefined) this.command = command;
  }

  /** True when the code is `code` or one of its sub-codes (RFC 5804 codes are hierarchical: QUOTA covers QUOTA/MAXSIZE). */
  hasCode(code: string): boolean {
    const c = code.toUpperCase();
    return this.code === c || (this.code?.startsWith(c + '/') ?? false);
  }
}

/** The connection broke or the server sent something that is not ManageSieve. */
export class ManageSieveProtocolError extends Error {
  override name = 'ManageSieveProtocolError';
}
