/**
 * Work that runs after the answer is sent, in this process: for requests whose answer must not
 * depend on what the work finds (a known or unknown address). A failure is reported, never
 * thrown; `drain` waits for whatever is still running (at close).
 */
export function createBackgroundTasks (onError: (err: unknown) => void) {
  const pending = new Set<Promise<void>>()
  return {
    run (task: () => Promise<void>): void {
      // setImmediate: after the current request's answer has been written.
      const done: Promise<void> = new Promise<void>(resolve => setImmediate(resolve))
        .then(task)
        .catch(onError)
        .finally(() => { pending.delete(done) })
      pending.add(done)
    },

    async drain (): Promise<void> {
      while (pending.size) await Promise.all(pending)
    }
  }
}

export type BackgroundTasks = ReturnType<typeof createBackgroundTasks>
