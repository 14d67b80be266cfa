export type { Envelope, MailAddress, MessageView } from './types.js';
export { parseMessage } from './message.js';
export { formatAddress, isValidAddress, parseAddressList, singleAddress } from './address.js';
export { decodeEncodedWords } from './encoded-words.js';
export { EditableMessage, formatField } from './edit.js';
export { isFieldName } from './header-index.js';
