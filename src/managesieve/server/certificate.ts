import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface CertificateFiles {
  cert: string;
  key: string;
  /** True when this call created them. */
  generated: boolean;
}

/**
 * Returns `<dir>/cert.pem` and `<dir>/key.pem`, generating a self-signed EC certificate for
 * localhost, 127.0.0.1, ::1 and this host's name (usable as its own CA file by clients) when they do not exist yet (so a restart reuses them).
 */
export async function ensureSelfSignedCertificate(dir: string): Promise<CertificateFiles> {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  try {
    await Promise.all([fs.access(cert), fs.access(key)]);
    return { cert, key, generated: false };
  } catch {
    // generate below
  }
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const host = hostname();
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 825 * 24 * 3600_000),
    extensions: [
      // Its own trust anchor: clients given this file as their CA (--cafile) must accept it, and
      // OpenSSL-based ones refuse a self-signed certificate marked as no CA.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          ...(host && host !== 'localhost' ? [{ type: 2 as const, value: host }] : []),
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  // Write the key first under a temporary name, so a crash never leaves a certificate without its key.
  const tmpKey = `${key}.${process.pid}.tmp`;
  await fs.writeFile(tmpKey, pems.private, { mode: 0o600 });
  await fs.rename(tmpKey, key);
  const tmpCert = `${cert}.${process.pid}.tmp`;
  await fs.writeFile(tmpCert, pems.cert, { mode: 0o644 });
  await fs.rename(tmpCert, cert);
  return { cert, key, generated: true };
}
