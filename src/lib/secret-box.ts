import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/**
 * A 32-byte key for one purpose ("totp-secret", "recovery-code", …), derived from ENCRYPTION_KEY
 * with HKDF-SHA256: one configured secret, independent keys, none of them stored.
 */
export const deriveKey = (secret: string, purpose: string): Buffer =>
  Buffer.from(hkdfSync('sha256', secret, 'auth-server', purpose, 32))

const VERSION = 'v1'

/**
 * AES-256-GCM for secrets the server must read back (TOTP secrets). A sealed value is
 * `v1.<iv>.<ciphertext>.<tag>` (base64url), bound to `context` (e.g. the owner's id) as
 * associated data, so a value copied onto another record does not open.
 */
export function createSecretBox (key: Buffer) {
  return {
    seal (plaintext: string, context: string): string {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context))
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return [VERSION, iv, data, cipher.getAuthTag()].map(p => typeof p === 'string' ? p : p.toString('base64url')).join('.')
    },

    /** The plaintext; throws if the value was altered, sealed under another key or for another context. */
    open (sealed: string, context: string): string {
      const [version, iv, data, tag] = sealed.split('.')
      if (version !== VERSION || !iv || !data || !tag) throw new Error('not a sealed value')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(context))
        .setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')
    }
  }
}

export type SecretBox = ReturnType<typeof createSecretBox>
