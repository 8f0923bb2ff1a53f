/**
 * A small PKI: certificate authorities and the certificates they sign, with ECDSA P-256 keys from
 * WebCrypto and @peculiar/x509 for the certificates (a cluster's whole PKI takes milliseconds).
 * Key pairs are written readable by the owner only (0600, in a 0700 directory).
 */
import 'reflect-metadata';
import { generateKeyPair, randomBytes, webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { ensurePrivateDir, writePrivateFile } from './private-file.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** A certificate and its private key, PEM-encoded. */
export interface KeyPair {
  cert: string;
  key: string;
}

/** What a signed certificate is for and who it names. */
export interface CertSpec {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: 'server' | 'client' | 'both';
  /** Validity in days (default 365). */
  days?: number;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 5 * 60_000), notAfter: new Date(now + days * 86_400_000) };
}

/** An X.500 name: `O=…` for each organization, then `CN=…`, escaped as RFC 4514 asks. */
function distinguishedName(commonName: string, organizations: string[] = []): string {
  const escape = (v: string): string => v.replace(/([,+"\\<>;=])/g, '\\$1');
  return [...organizations.map((o) => `O=${escape(o)}`), `CN=${escape(commonName)}`].join(', ');
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

/** Create a self-signed certificate authority named `commonName`. */
export async function createCA(commonName: string, days = 3650): Promise<KeyPair> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: distinguishedName(commonName),
    ...validity(days),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await keyPem(keys.privateKey) };
}

/** Sign a certificate for `spec` with `ca`. */
export async function signCert(ca: KeyPair, spec: CertSpec): Promise<KeyPair> {
  const caCert = new x509.X509Certificate(ca.cert);
  const keys = await newKeys();
  const usages: string[] = [];
  if (spec.usage !== 'client') usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (spec.usage !== 'server') usages.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(usages),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
  ];
  const altNames = [...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })), ...(spec.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  if (altNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(altNames));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: distinguishedName(spec.commonName, spec.organizations),
    issuer: caCert.subject,
    ...validity(spec.days ?? 365),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: await importKey(ca.key),
    extensions,
  });
  return { cert: cert.toString('pem') + '\n', key: await keyPem(keys.privateKey) };
}

/** Write a key pair as `<name>.crt` and `<name>.key` (mode 0600, `dir` 0700) and return the paths. */
export async function writeKeyPair(dir: string, name: string, pair: KeyPair): Promise<{ certFile: string; keyFile: string }> {
  await ensurePrivateDir(dir);
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  await writePrivateFile(certFile, pair.cert);
  await writePrivateFile(keyFile, pair.key);
  return { certFile, keyFile };
}

/** The IP addresses among a PEM certificate's subject alternative names. */
export function certIPAddresses(pem: string): string[] {
  const san = new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension);
  return (san?.names.items ?? []).filter((n) => n.type === 'ip').map((n) => n.value);
}

/** Read `<name>.crt`/`<name>.key` from `dir` when both exist. */
export async function readKeyPair(dir: string, name: string): Promise<KeyPair | undefined> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}

/**
 * The self-signed serving certificate kube-apiserver makes when no `--tls-cert-file` is given: a CA
 * named `<host>-ca@<unix time>` and a serving certificate for `localhost`, 127.0.0.1 and the
 * advertise address, kept in `certDir` as `apiserver.crt`/`apiserver.key` and reused.
 */
export async function selfSignedServing(certDir: string, host: string, extraIPs: string[]): Promise<{ certFile: string; keyFile: string }> {
  const existing = await readKeyPair(certDir, 'apiserver');
  if (existing) return { certFile: join(certDir, 'apiserver.crt'), keyFile: join(certDir, 'apiserver.key') };
  const ca = await createCA(`${host}-ca@${Math.floor(Date.now() / 1000)}`, 365);
  const pair = await signCert(ca, {
    commonName: `${host}@${Math.floor(Date.now() / 1000)}`,
    dnsNames: ['localhost', 'kubernetes.default.svc', host],
    ipAddresses: [...new Set(['127.0.0.1', ...extraIPs])],
    usage: 'server',
  });
  return writeKeyPair(certDir, 'apiserver', { cert: pair.cert + ca.cert, key: pair.key });
}

/**
 * The ServiceAccount signing key pair (kubeadm's `sa.key` and `sa.pub`): an RSA 2048 key, because
 * RS256 is what a real cluster's tokens are signed with. Kept across runs like the rest of the PKI,
 * so tokens issued before a restart stay valid; every server of the cluster shares it, as in HA.
 */
export async function ensureServiceAccountKey(dir: string): Promise<{ keyFile: string; publicKeyFile: string }> {
  const keyFile = join(dir, 'sa.key');
  const publicKeyFile = join(dir, 'sa.pub');
  if (!existsSync(keyFile) || !existsSync(publicKeyFile)) {
    const { privateKey, publicKey } = await new Promise<{ privateKey: string; publicKey: string }>((resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }, (err, pub, key) => (err ? reject(err) : resolve({ privateKey: key, publicKey: pub }))),
    );
    await writePrivateFile(keyFile, privateKey);
    await writePrivateFile(publicKeyFile, publicKey);
  }
  return { keyFile, publicKeyFile };
}
