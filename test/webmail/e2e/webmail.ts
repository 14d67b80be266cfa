import { startWebmail as startService } from '../../../src/app/webmail.js';

// The webmail service as `tamis webmail` starts it (src/app/webmail.ts), on a free loopback port.
export interface StartedWebmail {
  url: string;
  close(): Promise<void>;
}

export async function startWebmail(opts: { managesieve: string; pageDir: string }): Promise<StartedWebmail> {
  const started = await startService({
    listen: '127.0.0.1:0',
    managesieve: opts.managesieve,
    managesieveTls: 'none',
    pageDir: opts.pageDir,
  });
  return { url: started.url, close: () => started.close() };
}
