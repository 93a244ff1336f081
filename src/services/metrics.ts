import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { AuditType } from '../../models/audit-event.js'
import type { RefreshOutcome } from './auth-service.js'

export type MailEvent = 'queued' | 'sent' | 'failed'

/** The audit events that are login and second-factor outcomes, and how they are counted. */
const LOGIN_OUTCOMES: Partial<Record<AuditType, string>> = { 'login.success': 'success', 'login.failure': 'failure', 'login.locked': 'locked' }
const MFA_OUTCOMES: Partial<Record<AuditType, string>> = { 'mfa.failure': 'failure', 'mfa.locked': 'locked', 'mfa.recovery_code_used': 'recovery_code' }

/**
 * The Prometheus metrics of one app (prom-client, a registry of its own): HTTP requests, login,
 * refresh and second-factor outcomes, mail, and the password hasher's load.
 */
export function createMetrics (opts: { hashLoad: () => { active: number, pending: number } }) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const http = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by route, method and status, and how long they took',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry]
  })
  const logins = new Counter({ name: 'auth_logins_total', help: 'Sign-ins by outcome (success also counts provider, passkey and second-step sign-ins)', labelNames: ['outcome'] as const, registers: [registry] })
  const refreshes = new Counter({ name: 'auth_refreshes_total', help: 'Refreshes by outcome: rotate, grace (the same successor again), reuse (the session revoked), invalid', labelNames: ['outcome'] as const, registers: [registry] })
  const mfa = new Counter({ name: 'auth_mfa_total', help: 'Second-factor outcomes: success, failure, locked, recovery_code', labelNames: ['outcome'] as const, registers: [registry] })
  const mails = new Counter({ name: 'mail_total', help: 'Mails queued, sent, and given up (failed)', labelNames: ['event'] as const, registers: [registry] })
  // Read at each scrape (collect), never set in between.
  new Gauge({ // eslint-disable-line no-new
    name: 'password_hashes',
    help: 'argon2 hashes and verifications running (in_flight) and waiting (queued)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect () {
      const { active, pending } = opts.hashLoad()
      this.set({ state: 'in_flight' }, active)
      this.set({ state: 'queued' }, pending)
    }
  })

  return {
    registry,
    /** One HTTP request: `route` is the route's pattern (never the raw URL: no ids, no tokens). */
    request (route: string, method: string, status: number, seconds: number): void {
      http.observe({ route, method, status: String(status) }, seconds)
    },
    /** Every audit event: the login and second-factor outcomes among them are counted. */
    audited (type: AuditType, detail: Record<string, unknown> | undefined): void {
      const login = LOGIN_OUTCOMES[type]
      if (login) logins.inc({ outcome: login })
      if (type === 'login.success' && detail?.mfa === true) mfa.inc({ outcome: 'success' })
      const second = MFA_OUTCOMES[type]
      if (second) mfa.inc({ outcome: second })
    },
    refresh (outcome: RefreshOutcome): void {
      refreshes.inc({ outcome })
    },
    mail (event: MailEvent): void {
      mails.inc({ event })
    }
  }
}

export type Metrics = ReturnType<typeof createMetrics>
