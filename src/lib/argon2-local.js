// argon2 through this process's binding: the in-process hashing of src/lib/passwords.ts and the
// work of the password worker's child process alike. Plain JavaScript (JSDoc-typed), so that the
// child can load it without a TypeScript loader.
import argon2 from 'argon2'

/** @type {import('./password-worker.js').Argon2} */
export const localArgon2 = {
  hash: (password, options) => argon2.hash(password, options),
  // A malformed stored hash is a failed verification, not an error.
  verify: (hash, password) => argon2.verify(hash, password).catch(() => false)
}
