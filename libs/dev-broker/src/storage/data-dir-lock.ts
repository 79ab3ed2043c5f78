/**
 * Keeps two brokers from opening the same data directory: both would append to the same
 * segment files and corrupt them. Node has no portable flock, so the lock is a file holding
 * the owner's pid; a lock whose process is gone (killed with SIGKILL) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'fs';
import { join } from 'path';

const LOCK_FILE = 'broker.lock';

/** Lock files held by this process, so a stale file with our own (reused) pid is told apart. */
const heldHere = new Set<string>();

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Exclusive use of a data directory by this process. */
export class DataDirLock {
  private released = false;

  private constructor(private readonly path: string) {}

  /**
   * Takes the lock of `dataDir` (which must exist).
   * @throws when a live process — this one included — already holds it.
   */
  static acquire(dataDir: string): DataDirLock {
    const path = join(dataDir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, String(process.pid));
        } finally {
          closeSync(fd);
        }
        heldHere.add(path);
        return new DataDirLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = readOwner(path);
      if (owner === undefined) continue; // released meanwhile
      const pid = Number(owner);
      const stale =
        Number.isInteger(pid) &&
        pid > 0 &&
        (pid === process.pid ? !heldHere.has(path) : !processIsAlive(pid));
      if (!stale)
        throw new Error(
          `data directory ${dataDir} is in use by process ${owner.trim() || '(unknown)'}` +
            ` (delete ${path} if no broker runs there)`,
        );
      // Re-check just before removing, so a lock another starter took over meanwhile survives.
      if (readOwner(path) === owner) unlinkSync(path);
    }
    throw new Error(`data directory ${dataDir}: could not take ${LOCK_FILE}`);
  }

  /** Gives the directory up; safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.path);
    if (readOwner(this.path) === String(process.pid)) unlinkSync(this.path);
  }
}
