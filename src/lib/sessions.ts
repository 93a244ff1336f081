import { hashesEqual, type AssuranceLevel } from './tokens.js'

/** One login on one device: a refresh-token family. Only hashes of tokens are kept. */
export interface SessionRecord {
  id: string
  /** Generation of the current refresh token; +1 on every rotation. */
  gen: number
  tokenHash: string
  /** Hash of the immediate predecessor, accepted during the grace window only. */
  prevHash: string | null
  /** When the current token was issued (its `iat`); anchors the grace window. */
  rotatedAt: Date
  createdAt: Date
  lastUsedAt: Date
  expiresAt: Date
  userAgent: string
  ip: string
  /** How the login was authenticated; a refresh keeps it and never raises it. */
  amr: string[]
  aal: AssuranceLevel
  /** When the session signed in or last re-authenticated (its tokens' `auth_time`); absent: `createdAt`. */
  authTime?: Date
  /** With a zero re-authentication window: this authentication has served its one action. */
  authSpent?: boolean
}

/** With a zero re-authentication window, an authentication serves one action within this. */
export const ONE_ACTION_MS = 5 * 60_000

/**
 * Whether the session authenticated recently enough for an action that adds or removes a way
 * to sign in: within `windowMs`, or with a zero window, once (`spend`: the caller marks the
 * authentication spent) within ONE_ACTION_MS.
 */
export function recentAuthentication (session: SessionRecord, now: Date, windowMs: number): 'recent' | 'spend' | 'stale' {
  const age = now.getTime() - (session.authTime ?? session.createdAt).getTime()
  if (windowMs > 0) return age <= windowMs ? 'recent' : 'stale'
  return session.authSpent !== true && age <= ONE_ACTION_MS ? 'spend' : 'stale'
}

/** The session after a fresh proof that its user is there: a new authentication time, not yet spent. */
export const reauthenticate = <T extends SessionRecord | Omit<SessionRecord, 'tokenHash'>>(session: T, now: Date): T => ({ ...session, authTime: now, authSpent: false })

export type RefreshDecision =
  | { kind: 'rotate', session: SessionRecord }
  | { kind: 'grace', session: SessionRecord }
  | { kind: 'reuse', session: SessionRecord }
  | { kind: 'invalid' }

/**
 * Classifies a presented refresh token whose signature has already been verified.
 * - current token → rotate;
 * - the immediate predecessor within `graceMs` of the rotation that replaced it → grace
 *   (re-issue the current token; the window never slides because only rotation moves `rotatedAt`);
 * - any older generation → reuse (theft signal: revoke the session);
 * - anything else (no such session, expired, unknown hash) → invalid.
 */
export function decideRefresh (input: {
  session: SessionRecord | undefined
  gen: number
  presentedHash: string
  now: Date
  graceMs: number
}): RefreshDecision {
  const { session, gen, presentedHash, now, graceMs } = input
  if (!session || session.expiresAt <= now) return { kind: 'invalid' }
  if (gen === session.gen) {
    return hashesEqual(presentedHash, session.tokenHash) ? { kind: 'rotate', session } : { kind: 'invalid' }
  }
  if (gen > session.gen) return { kind: 'invalid' }
  if (graceMs > 0 && gen === session.gen - 1 && session.prevHash !== null && hashesEqual(presentedHash, session.prevHash) &&
    now.getTime() - session.rotatedAt.getTime() <= graceMs) {
    return { kind: 'grace', session }
  }
  return { kind: 'reuse', session }
}

/** The successor of `session`, minus its token hash (which needs the signed token). */
export function rotate (session: SessionRecord, now: Date, ttlMs: number): Omit<SessionRecord, 'tokenHash'> {
  const { tokenHash, ...rest } = session
  return {
    ...rest,
    gen: session.gen + 1,
    prevHash: tokenHash,
    rotatedAt: now,
    lastUsedAt: now,
    expiresAt: new Date(now.getTime() + ttlMs)
  }
}

/** Unexpired sessions, most recently used first. */
export function liveSessions (sessions: readonly SessionRecord[], now: Date): SessionRecord[] {
  return sessions
    .filter(s => s.expiresAt > now)
    .sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime())
}

/** The list without session `id`, or null when there is no such session (nothing to write). */
export function withoutSession (sessions: readonly SessionRecord[], id: string): SessionRecord[] | null {
  const rest = sessions.filter(s => s.id !== id)
  return rest.length === sessions.length ? null : rest
}

/**
 * Puts `session` into the list (replacing one with the same id), drops expired ones and keeps at
 * most `max`, evicting the least recently used. Pure: the caller writes the result under a CAS.
 */
export function upsertSession (sessions: readonly SessionRecord[], session: SessionRecord, now: Date, max: number): SessionRecord[] {
  const others = liveSessions(sessions.filter(s => s.id !== session.id), now)
  return [session, ...others.slice(0, Math.max(0, max - 1))]
}
