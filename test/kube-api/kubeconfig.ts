/**
 * Writes kubeconfig files for the test API server, with the CA inlined as
 * `certificate-authority-data` and one of several ways to authenticate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { TestPki } from './certs.js';

/**
 * - `token`: the admin bearer token; `cert`: the client certificate and key inline;
 * - `token+cert`: both (the token wins at the server);
 * - `bad-token`: a token the server does not know (401); `limited`: a known identity
 *   without permission (403);
 * - `exec`: an exec plugin (client.authentication.k8s.io/v1) that prints the admin token;
 * - `exec-fails`: an exec plugin that prints a secret-looking line to stderr and exits 1;
 * - `token-file`: `tokenFile` via an auth-provider config, as in-cluster uses.
 */
export type KubeconfigAuth =
  | 'token'
  | 'cert'
  | 'token+cert'
  | 'bad-token'
  | 'limited'
  | 'exec'
  | 'exec-fails'
  | 'token-file';

interface ServerInfo {
  readonly url: string;
  readonly pki: TestPki;
  readonly tokens: { readonly admin: string; readonly limited: string };
}

export function writeKubeconfig(dir: string, server: ServerInfo, auth: KubeconfigAuth): string {
  const file = path.join(dir, `kubeconfig-${auth}.yaml`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'test',
    clusters: [
      {
        name: 'test-cluster',
        cluster: {
          server: server.url,
          'certificate-authority-data': server.pki.caCert.toString('base64'),
        },
      },
    ],
    contexts: [{ name: 'test', context: { cluster: 'test-cluster', user: 'test-user' } }],
    users: [{ name: 'test-user', user: userEntry(dir, server, auth) }],
  };
  fs.writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

function userEntry(dir: string, server: ServerInfo, auth: KubeconfigAuth): Record<string, unknown> {
  const cert = {
    'client-certificate-data': server.pki.clientCert.toString('base64'),
    'client-key-data': server.pki.clientKey.toString('base64'),
  };
  switch (auth) {
    case 'token':
      return { token: server.tokens.admin };
    case 'cert':
      return cert;
    case 'token+cert':
      return { token: server.tokens.admin, ...cert };
    case 'bad-token':
      return { token: 'not-a-valid-token-0123456789' };
    case 'limited':
      return { token: server.tokens.limited };
    case 'exec':
      return { exec: execPlugin(dir, server.tokens.admin) };
    case 'exec-fails':
      return {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: ['-e', 'console.error("leaked-secret-from-plugin"); process.exit(1)'],
          interactiveMode: 'Never',
        },
      };
    case 'token-file': {
      const tokenFile = path.join(dir, 'token');
      fs.writeFileSync(tokenFile, `${server.tokens.admin}\n`, { mode: 0o600 });
      return { 'auth-provider': { name: 'file', config: { tokenFile } } };
    }
  }
}

/** A credential plugin script: prints an ExecCredential holding the token. */
function execPlugin(dir: string, token: string): Record<string, unknown> {
  const script = path.join(dir, 'credential-plugin.mjs');
  const credential = {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token },
  };
  fs.writeFileSync(script, `console.log(${JSON.stringify(JSON.stringify(credential))});\n`);
  return {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: process.execPath,
    args: [script],
    interactiveMode: 'Never',
  };
}
