import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy on loopback that serves `target` under `prefix` and strips it, as the nginx
 * example of docs/webmail.md does (`location /settings/ { proxy_pass http://127.0.0.1:8080/; }`).
 */
export async function startPrefixProxy(
  target: string,
  prefix: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    if (!req.url?.startsWith(prefix)) {
      res.writeHead(404).end('not under the prefix');
      return;
    }
    const upstream = http.request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: `/${req.url.slice(prefix.length)}`,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
