import net from 'node:net';
import tls from 'node:tls';
import { ManageSieveProtocolError } from './errors.js';

/**
 * Opens the connection, TLS included for implicit TLS. TCP comes first and TLS over it: a name with
 * several addresses (localhost: ::1 and 127.0.0.1) is tried address by address by net.connect,
 * which tls.connect over a name could leave hanging on a busy machine.
 */
export function openSocket(
  host: string,
  port: number,
  implicitTls: boolean,
  tlsOptions: tls.ConnectionOptions | undefined,
  timeoutMs: number,
): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    let current: net.Socket = net.connect({ host, port });
    const timer = setTimeout(
      () => fail(new ManageSieveProtocolError(`timed out connecting to ${host}:${port}`)),
      timeoutMs,
    );
    const fail = (e: Error) => {
      clearTimeout(timer);
      current.destroy();
      reject(e);
    };
    const done = (s: net.Socket) => {
      clearTimeout(timer);
      s.off('error', fail);
      resolve(s);
    };
    current.once('error', fail);
    current.once('connect', () => {
      if (!implicitTls) return done(current);
      current.off('error', fail);
      const secure = tls.connect({
        socket: current,
        servername: net.isIP(host) ? undefined : host,
        ...tlsOptions,
      });
      current = secure;
      secure.once('error', fail);
      secure.once('secureConnect', () => done(secure));
    });
  });
}
