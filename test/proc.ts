// Reading a thread's or process's scheduling state from /proc (Linux), for the priority tests.
import { readFileSync } from 'node:fs'

/** Fields 3… of a /proc/<pid>[/task/<tid>]/stat file, after the command name. */
const statFields = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ')
/** The nice value (field 19) in the text of a stat file. */
export const niceOfStat = (stat: string) => Number(statFields(stat)[16])
export const niceIn = (statPath: string) => niceOfStat(readFileSync(statPath, 'utf8'))
/** The scheduling policy (field 41): 0 normal, 5 SCHED_IDLE. */
export const policyIn = (statPath: string) => Number(statFields(readFileSync(statPath, 'utf8'))[38])
