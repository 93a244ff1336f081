// The auth thread's first module (src/services/auth-thread.ts starts it). Worker threads do not
// inherit `--import tsx`, so from the TypeScript sources this registers tsx itself; from the
// compiled build (dist/) it loads the compiled entry. Plain JavaScript for that reason.
import { existsSync } from 'node:fs'

const compiled = new URL('./auth-thread-entry.js', import.meta.url)
if (existsSync(compiled)) {
  await import(compiled.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(new URL('./auth-thread-entry.ts', import.meta.url).href)
}
