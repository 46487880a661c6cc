// Links bin/gonet.js into node_modules/.bin (run by `prepare`, so by
// `npm ci` and `npm install`). npm does not link a project's own "bin" into
// its own node_modules/.bin, so without this `npx gonet` in the checkout
// installs a copy of the project into npm's npx cache first: a full build on
// the first call, and a broken cache entry if that call is interrupted.
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const binDir = join(root, "node_modules", ".bin")
const link = join(binDir, "gonet")
if (!existsSync(join(root, "node_modules"))) process.exit(0) // nothing installed here (e.g. a packed copy)
mkdirSync(binDir, { recursive: true })
try {
  lstatSync(link)
  rmSync(link)
} catch {
  // no previous link
}
symlinkSync(join("..", "..", "bin", "gonet.js"), link)
