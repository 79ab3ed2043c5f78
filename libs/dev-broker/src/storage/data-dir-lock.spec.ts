import { spawnSync } from 'child_process';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { DataDirLock } from './data-dir-lock';
import { makeTempDir } from './storage.test-helper';

describe('DataDirLock', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const lockFile = () => join(tmp.path, 'broker.lock');
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.remove());

  it('refuses a second holder until released', () => {
    const lock = DataDirLock.acquire(tmp.path);
    expect(readFileSync(lockFile(), 'utf8')).toBe(String(process.pid));
    expect(() => DataDirLock.acquire(tmp.path)).toThrow(/in use by process/);
    lock.release();
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
    DataDirLock.acquire(tmp.path).release();
  });

  it('refuses a lock held by another live process', () => {
    writeFileSync(lockFile(), String(process.ppid));
    expect(() => DataDirLock.acquire(tmp.path)).toThrow(
      new RegExp(`in use by process ${process.ppid}`),
    );
  });

  it('takes over the lock of a process that died without releasing it', () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(lockFile(), String(dead));
    const lock = DataDirLock.acquire(tmp.path);
    expect(readFileSync(lockFile(), 'utf8')).toBe(String(process.pid));
    lock.release();
  });
});
