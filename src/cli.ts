import { runAdminCli } from './admin-cli.js'

// npm run admin -- <command>: see USAGE in ./admin-cli.ts.
process.exitCode = await runAdminCli(process.argv.slice(2), process.env.MONGO_URL, {
  out: line => process.stdout.write(`${line}\n`),
  err: line => process.stderr.write(`${line}\n`)
})
