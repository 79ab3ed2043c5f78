// Step one of `npm start` on a fresh clone: node_modules. Only Node built-ins here.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Why `npm ci` is needed, or undefined when node_modules is current. npm writes
 * node_modules/.package-lock.json on every install, so its age tells when the tree was
 * last brought in line with package-lock.json.
 */
export function installReason(root) {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(installed)) return 'node_modules was not installed by npm';
  if (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs + 1_000) {
    return 'package-lock.json is newer than node_modules';
  }
  return undefined;
}

/** Runs `npm ci` when node_modules is missing or stale; exits the process when it fails. */
export function ensureDependencies(root, { skip = false, log = console.log } = {}) {
  const reason = installReason(root);
  if (!reason) return;
  if (skip) {
    log(`start: ${reason}, but FULFIL_SKIP_INSTALL is set: not running npm ci`);
    return;
  }
  log(`start: ${reason}: running npm ci`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`start: npm ci failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
