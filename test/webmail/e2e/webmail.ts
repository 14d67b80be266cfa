import { existsSync } from 'node:fs';

// Starts the webmail server of src/webmail for the browser tests. Until that server is on this
// branch the browser tests skip.
export interface StartedWebmail {
  url: string;
  close(): Promise<void>;
}

const SERVER = new URL('../../../src/webmail/server.ts', import.meta.url);
export const hasWebmailServer = existsSync(SERVER);

export async function startWebmail(_opts: {
  managesieve: string;
  pageDir: string;
  data: string;
}): Promise<StartedWebmail> {
  throw new Error('the webmail server (src/webmail/server.ts) is not on this branch');
}
