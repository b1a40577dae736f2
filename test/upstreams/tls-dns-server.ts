/**
 * A DNS-over-TLS server (RFC 7858) for tests, with a throwaway CA and server certificate made
 * by the real `openssl`. It answers every A query with 192.0.2.53 TTL 120.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import dnsPacket from 'dns-packet';
import { makeTempDir } from '../helpers/temp-dir.js';

export interface TlsFiles {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** A client certificate signed by the same CA, for servers that require one. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/** Makes a CA and a server certificate for `dnsName` (and no IP address). */
export function makeCertificates(dnsName: string): TlsFiles {
  const dir = makeTempDir('dot-');
  const p = (f: string): string => path.join(dir, f);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore' });
  };
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=test ca',
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
    '-subj',
    `/CN=${dnsName}`,
  );
  fs.writeFileSync(p('ext.cnf'), `subjectAltName=DNS:${dnsName}\n`);
  ssl(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('server.pem'),
    '-days',
    '2',
    '-extfile',
    p('ext.cnf'),
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('client.key'),
    '-out',
    p('client.csr'),
    '-subj',
    '/CN=clusterdns client',
  );
  ssl(
    'x509',
    '-req',
    '-in',
    p('client.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('client.pem'),
    '-days',
    '2',
  );
  return {
    dir,
    caFile: p('ca.pem'),
    certFile: p('server.pem'),
    keyFile: p('server.key'),
    clientCertFile: p('client.pem'),
    clientKeyFile: p('client.key'),
  };
}

export class TlsDnsServer {
  queries = 0;
  connections = 0;

  private constructor(
    private readonly server: tls.Server,
    readonly port: number,
  ) {}

  /** With `requireClientCert`, only clients with a certificate from the test CA get in. */
  static async start(files: TlsFiles, requireClientCert = false): Promise<TlsDnsServer> {
    const server = tls.createServer({
      cert: fs.readFileSync(files.certFile),
      key: fs.readFileSync(files.keyFile),
      ...(requireClientCert
        ? { requestCert: true, rejectUnauthorized: true, ca: fs.readFileSync(files.caFile) }
        : {}),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const instance = new TlsDnsServer(server, port);
    server.on('secureConnection', (socket) => instance.onConnection(socket));
    return instance;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: tls.TLSSocket): void {
    this.connections++;
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= buffered.readUInt16BE(0) + 2) {
        const msg = buffered.subarray(2, buffered.readUInt16BE(0) + 2);
        buffered = buffered.subarray(msg.length + 2);
        this.queries++;
        const query = dnsPacket.decode(Buffer.from(msg));
        const question = query.questions?.[0] as dnsPacket.Question;
        const reply = dnsPacket.encode({
          type: 'response',
          id: query.id,
          flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
          questions: [question],
          answers:
            question.type === 'A'
              ? [{ type: 'A', name: question.name, ttl: 120, data: '192.0.2.53' }]
              : [],
        });
        const frame = Buffer.alloc(reply.length + 2);
        frame.writeUInt16BE(reply.length, 0);
        reply.copy(frame, 2);
        socket.write(frame);
      }
    });
  }
}
