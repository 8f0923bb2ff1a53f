/**
 * Reading the ServiceAccount keys kube-apiserver's flags name: `--service-account-signing-key-file`
 * (one PEM private key) and `--service-account-key-file` (repeatable; PEM public keys, or private
 * keys whose public half is used, as keyutil.PublicKeysFromFile accepts). Certificates are not keys
 * here, as upstream.
 */
import { readFile } from 'node:fs/promises';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { algorithmOf } from './jwt.js';

/** A key file that cannot be used; printed as a start-up error. */
export class KeyFileError extends Error {
  readonly code = 'KEYFILE';
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

const BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;

/** The private signing key in `file`. */
export async function loadSigningKey(file: string): Promise<KeyObject> {
  const pem = await readFile(file, 'utf8').catch((err: Error) => {
    throw new KeyFileError(`failed to parse service-account-issuer-key-file: ${err.message}`);
  });
  const block = [...pem.matchAll(BLOCK)].find((m) => m[1]!.endsWith('PRIVATE KEY'));
  if (!block) throw new KeyFileError(`failed to parse service-account-issuer-key-file: data does not contain any valid RSA or ECDSA private key`);
  const key = createPrivateKey(block[0]);
  if (!algorithmOf(key)) throw new KeyFileError('failed to build token generator: unsupported key type');
  return key;
}

/** Every public key in `files`. */
export async function loadPublicKeys(files: string[]): Promise<KeyObject[]> {
  const keys: KeyObject[] = [];
  for (const file of files) {
    const pem = await readFile(file, 'utf8').catch((err: Error) => {
      throw new KeyFileError(`failed to parse key file ${JSON.stringify(file)}: ${err.message}`);
    });
    const found: KeyObject[] = [];
    for (const m of pem.matchAll(BLOCK)) {
      const kind = m[1]!;
      if (kind.endsWith('PRIVATE KEY')) found.push(createPublicKey(createPrivateKey(m[0])));
      else if (kind.endsWith('PUBLIC KEY')) found.push(createPublicKey(m[0]));
    }
    if (found.length === 0) throw new KeyFileError(`failed to parse key file ${JSON.stringify(file)}: data does not contain any valid RSA or ECDSA public keys`);
    keys.push(...found);
  }
  return keys;
}
