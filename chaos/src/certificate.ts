/**
 * The proxy's certificate: self-signed for 127.0.0.1 (a CA the importer trusts through
 * OPTIMO_CA_FILE), made with the `openssl` command in the run's folder.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificateFiles {
  cert: string;
  key: string;
  certFile: string;
}

export async function createProxyCertificate(dir: string): Promise<CertificateFiles> {
  const certFile = join(dir, 'proxy-ca.pem');
  const keyFile = join(dir, 'proxy-key.pem');
  try {
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-sha256', '-days', '30',
      '-keyout', keyFile, '-out', certFile, '-subj', '/CN=optimo-chaos-proxy',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
      '-addext', 'extendedKeyUsage=serverAuth',
    ]);
  } catch (error) {
    throw new Error(`[chaos] openssl could not make the proxy's certificate (is openssl installed?): ${(error as Error).message}`, { cause: error });
  }
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile };
}
