import type { Extension } from './types.js';
import { builtinComparators } from './base.js';
import { copyExtension } from './copy.js';
import { encodedCharacterExtension } from './encoded-character.js';
import { envelopeExtension } from './envelope.js';
import { fileintoExtension } from './fileinto.js';
import { variablesExtension } from './variables.js';
import { relationalExtension } from './relational.js';
import { asciiNumericExtension } from './comparator-i-ascii-numeric.js';
import { subaddressExtension } from './subaddress.js';
import { spamtestExtension, spamtestplusExtension } from './spamtest.js';
import { virustestExtension } from './virustest.js';
import { imap4flagsExtension } from './imap4flags.js';
import { mailboxExtension } from './mailbox.js';
import { vacationExtension } from './vacation.js';
import { vacationSecondsExtension } from './vacation-seconds.js';
import { rejectExtension } from './reject.js';
import { erejectExtension } from './ereject.js';
import { regexExtension } from './regex.js';
import { bodyExtension } from './body.js';
import { mimeExtension } from './mime.js';
import { foreverypartExtension } from './foreverypart.js';
import { extracttextExtension } from './extracttext.js';
import { dateExtension } from './date.js';
import { indexExtension } from './index.js';
import { environmentExtension, dovecotEnvironmentExtension } from './environment.js';
import { ihaveExtension } from './ihave.js';
import { debugExtension } from './vnd.dovecot.debug.js';
import { includeExtension } from './include.js';
import { duplicateExtension } from './duplicate.js';
import { specialUseExtension } from './special-use.js';
import { editheaderExtension } from './editheader.js';
import { enotifyExtension } from './enotify.js';
import { extlistsExtension } from './extlists.js';
import { mboxmetadataExtension, servermetadataExtension } from './metadata.js';

/** Every extension the engine ships, in the order they are advertised. Adding one is one line here. */
export const standardExtensions: Extension[] = [
  ...builtinComparators,
  fileintoExtension,
  envelopeExtension,
  encodedCharacterExtension,
  copyExtension,
  variablesExtension,
  relationalExtension,
  asciiNumericExtension,
  subaddressExtension,
  spamtestExtension,
  spamtestplusExtension,
  virustestExtension,
  imap4flagsExtension,
  mailboxExtension,
  vacationExtension,
  vacationSecondsExtension,
  rejectExtension,
  erejectExtension,
  regexExtension,
  bodyExtension,
  mimeExtension,
  foreverypartExtension,
  extracttextExtension,
  dateExtension,
  indexExtension,
  environmentExtension,
  dovecotEnvironmentExtension,
  ihaveExtension,
  debugExtension,
  includeExtension,
  duplicateExtension,
  specialUseExtension,
  editheaderExtension,
  enotifyExtension,
  extlistsExtension,
  mboxmetadataExtension,
  servermetadataExtension,
];

export { base } from './base.js';
