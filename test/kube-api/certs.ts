/**
 * A throwaway PKI for the test API server, made with the `openssl` CLI: a CA, a server
 * certificate for 127.0.0.1/localhost, and a client certificate (CN=clusterdns) signed by the
 * same CA. Nothing touches the network.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

/** The PKI's PEM bytes; the files they were made in are already deleted. */
export interface TestPki {
  readonly caCert: Buffer;
  readonly serverCert: Buffer;
  readonly serverKey: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Creates the PKI in a new temporary directory and removes the directory before returning,
 * failed or not: the private keys then exist only in this process's memory.
 */
export function createPki(): TestPki {
  const dir = makeTempDir('kube-api-pki-');
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
      '-subj', '/CN=test-kube-ca']);
    fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    issue(dir, 'server', '/CN=kube-apiserver', ec, 'server.ext');
    issue(dir, 'client', '/O=system:masters/CN=clusterdns', ec);
    const read = (name: string) => fs.readFileSync(path.join(dir, name));
    return {
      caCert: read('ca.crt'),
      serverCert: read('server.crt'),
      serverKey: read('server.key'),
      clientCert: read('client.crt'),
      clientKey: read('client.key'),
    };
  } finally {
    removeTempDir(dir);
  }
}

function issue(dir: string, name: string, subject: string, ec: string[], ext?: string): void {
  openssl(dir, ['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`,
    '-subj', subject]);
  const extension = ext ? ['-extfile', ext] : [];
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key',
    '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...extension]);
}
