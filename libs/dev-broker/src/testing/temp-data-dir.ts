import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir, so tests never share or leave broker state. */
export interface TempDataDir {
  readonly path: string;
  remove(): void;
}

export function createTempDataDir(prefix = 'dev-broker-test-'): TempDataDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    // force: a broker killed mid-write may leave files we never created ourselves.
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
