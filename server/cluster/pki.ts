/**
 * A small PKI: certificate authorities and the certificates signed by them, with Node's native RSA
 * key generation and node-forge for X.509. Private keys are written readable by the owner only.
 */
import { generateKeyPair as generateKeyPairCb, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPair = promisify(generateKeyPairCb);

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

async function newKey(): Promise<{ privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string }> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    pem: privateKey,
  };
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 5 * 60_000);
  cert.validity.notAfter = new Date(now + days * 86_400_000);
}

/** Create a self-signed certificate authority named `commonName`. */
export async function createCA(commonName: string, days = 3650): Promise<KeyPair> {
  const keys = await newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, days);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

/** Sign a certificate for `spec` with `ca`. */
export async function signCert(ca: KeyPair, spec: CertSpec): Promise<KeyPair> {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const keys = await newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, spec.days ?? 365);
  const subject: forge.pki.CertificateField[] = [];
  for (const o of spec.organizations ?? []) subject.push({ name: 'organizationName', value: o });
  subject.push({ name: 'commonName', value: spec.commonName });
  cert.setSubject(subject);
  cert.setIssuer(caCert.subject.attributes);
  const extKeyUsage: Record<string, boolean> = {};
  if (spec.usage !== 'client') extKeyUsage.serverAuth = true;
  if (spec.usage !== 'server') extKeyUsage.clientAuth = true;
  const extensions: unknown[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', ...extKeyUsage },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  const altNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(spec.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(extensions as forge.pki.CertificateField[]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

/** Write a key pair as `<name>.crt` and `<name>.key` (key mode 0600) and return the paths. */
export async function writeKeyPair(dir: string, name: string, pair: KeyPair): Promise<{ certFile: string; keyFile: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  await writeFile(certFile, pair.cert, { mode: 0o600 });
  await writeFile(keyFile, pair.key, { mode: 0o600 });
  return { certFile, keyFile };
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
