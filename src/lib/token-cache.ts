/**
 * A bounded cache of verified access tokens, so a repeat request with the same token skips
 * signature verification. Only successful verifications go in; an entry is served only to the
 * exact same token string and only while its `exp` is in the future; the oldest entry is evicted
 * beyond `max`.
 *
 * Entries are found by the token's signature segment (its last 43 characters for HS256) and then
 * compared in full: hashing a short key and comparing the whole token is cheaper than hashing the
 * whole token on every request (measured: bench/README.md). This is an allow-cache, so a forged
 * token that borrows a genuine signature is simply a miss, verified in full, and rejected.
 */
export function createTokenCache<T extends { exp?: number }> (max: number, now: () => number = Date.now) {
  const entries = new Map<string, { token: string, claims: T }>()
  const keyOf = (token: string) => token.slice(token.lastIndexOf('.') + 1)
  return {
    get (token: string): T | undefined {
      const key = keyOf(token)
      const entry = entries.get(key)
      if (entry === undefined || entry.token !== token) return undefined
      const { claims } = entry
      if (claims.exp === undefined || claims.exp * 1000 <= now()) {
        entries.delete(key)
        return undefined
      }
      return claims
    },
    set (token: string, claims: T): void {
      if (claims.exp === undefined) return
      const key = keyOf(token)
      if (entries.size >= max && !entries.has(key)) {
        const oldest = entries.keys().next().value
        if (oldest !== undefined) entries.delete(oldest)
      }
      entries.set(key, { token, claims })
    },
    get size () {
      return entries.size
    }
  }
}
