/**
 * A bounded cache of verified access tokens, keyed by the exact token string, so a repeat request
 * with the same token skips signature verification. Only successful verifications go in; an entry
 * is served only while its `exp` is in the future; the oldest entry is evicted beyond `max`.
 * Keying by the raw string (no hashing) is safe here: this is an allow-cache, so a re-encoded
 * token is simply a miss and gets verified in full.
 */
export function createTokenCache<T extends { exp?: number }> (max: number, now: () => number = Date.now) {
  const entries = new Map<string, T>()
  return {
    get (token: string): T | undefined {
      const claims = entries.get(token)
      if (claims === undefined) return undefined
      if (claims.exp === undefined || claims.exp * 1000 <= now()) {
        entries.delete(token)
        return undefined
      }
      return claims
    },
    set (token: string, claims: T): void {
      if (claims.exp === undefined) return
      if (entries.size >= max && !entries.has(token)) {
        const oldest = entries.keys().next().value
        if (oldest !== undefined) entries.delete(oldest)
      }
      entries.set(token, claims)
    },
    get size () {
      return entries.size
    }
  }
}
