/**
 * A copy of the built command that another user can run. Tests that run
 * `gonet` as user `nobody` cannot run it from the checkout: a checkout in
 * root's home (mode 0700, as `git clone` into `~` leaves it) is out of
 * nobody's reach. `stageBuilt` copies what `bin/gonet.js` loads (bin/, dist/,
 * package.json, the TAP addon and the production dependencies in
 * node_modules) into a fresh directory under the system temporary directory,
 * readable by everyone; `remove` deletes it.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"

export interface Staged {
  /** the copy's root: `${dir}/bin/gonet.js` is the command */
  readonly dir: string
  readonly remove: () => void
}

/**
 * Why a user that is neither owner nor in the group cannot reach `path`: it
 * or a directory above it lacks the "other" search (for a file: execute)
 * bit; undefined when they can.
 */
export const unreachableByOthers = (path: string): string | undefined => {
  for (let d = nodePath.resolve(path); ; d = nodePath.dirname(d)) {
    const mode = fs.statSync(d).mode
    if ((mode & 0o001) === 0) return `${d} (mode ${(mode & 0o7777).toString(8).padStart(4, "0")}) lacks the others' search/execute bit`
    if (d === nodePath.dirname(d)) return undefined
  }
}

/** The directory `name` resolves to from `from` (Node's node_modules lookup), or undefined. */
const resolvePackage = (from: string, name: string, root: string): string | undefined => {
  for (let d = from; d.startsWith(root); d = nodePath.dirname(d)) {
    const candidate = nodePath.join(d, "node_modules", name)
    if (fs.existsSync(nodePath.join(candidate, "package.json"))) return candidate
    if (d === root) break
  }
  return undefined
}

/**
 * The top-level entries of `root/node_modules` that the production
 * dependencies (with their dependencies, optional and peer dependencies that
 * are installed) live in. A package nested in another's node_modules is
 * copied with the package that holds it.
 */
const productionPackages = (root: string): ReadonlyArray<string> => {
  const topLevel = new Set<string>()
  const seen = new Set<string>()
  const modules = nodePath.join(root, "node_modules") + nodePath.sep
  const visit = (pkgDir: string): void => {
    if (seen.has(pkgDir)) return
    seen.add(pkgDir)
    const pkg = JSON.parse(fs.readFileSync(nodePath.join(pkgDir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>
      optionalDependencies?: Record<string, string>
      peerDependencies?: Record<string, string>
    }
    const names = [
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {})
    ]
    for (const name of names) {
      const dir = resolvePackage(pkgDir, name, root)
      if (dir === undefined) continue // an optional dependency not installed on this platform
      const rest = dir.slice(modules.length).split(nodePath.sep)
      topLevel.add(rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!)
      visit(dir)
    }
  }
  visit(root)
  return [...topLevel].sort()
}

/** Give everyone read access (and search/exec where the owner has it) under `p`. */
const openUp = (p: string): void => {
  const st = fs.lstatSync(p)
  if (st.isSymbolicLink()) return
  const mode = st.mode & 0o7777
  const exec = (mode & 0o100) !== 0 || st.isDirectory()
  fs.chmodSync(p, mode | 0o444 | (exec ? 0o111 : 0))
  if (st.isDirectory()) for (const e of fs.readdirSync(p)) openUp(nodePath.join(p, e))
}

/**
 * Why another user could not run a copy made by `stageBuilt` with this
 * process's node (`process.execPath`), or undefined when they could.
 */
export const stagingBlocked = (): string | undefined => {
  const base = os.tmpdir()
  try {
    const why = unreachableByOthers(fs.realpathSync(base))
    if (why !== undefined) return `the temporary directory ${base}: ${why}`
  } catch (e) {
    return `the temporary directory ${base}: ${(e as Error).message}`
  }
  const node = fs.realpathSync(process.execPath)
  const why = unreachableByOthers(node)
  return why === undefined ? undefined : `node (${node}) cannot be run by other users: ${why}`
}

/**
 * Copy the built command in `root` to a new world-readable directory under
 * `os.tmpdir()`. Throws, after removing what it made, when something it
 * needs is missing or when the copy would be out of other users' reach
 * (`stagingBlocked`).
 */
export const stageBuilt = (root: string): Staged => {
  const blocked = stagingBlocked()
  if (blocked !== undefined) throw new Error(`cannot stage the command for another user: ${blocked}`)
  const base = fs.realpathSync(os.tmpdir())
  const dir = fs.mkdtempSync(nodePath.join(base, "gonet-staged-"))
  const remove = () => fs.rmSync(dir, { recursive: true, force: true })
  try {
    const copy = (rel: string) =>
      fs.cpSync(nodePath.join(root, rel), nodePath.join(dir, rel), { recursive: true, verbatimSymlinks: true })
    for (const rel of ["package.json", "bin", "dist", "build/Release/gonet_tap.node"]) copy(rel)
    for (const name of productionPackages(root)) copy(nodePath.join("node_modules", name))
    openUp(dir)
    return { dir, remove }
  } catch (e) {
    remove()
    throw e
  }
}
