/**
 * Durable file-system updates: small metadata files (topic.json, producer-ids.json)
 * replaced atomically — a crash leaves either the old or the new content, never a
 * half-written file — and directory entries made durable.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'fs';

/** Writes `content` to `path` through a temporary file, fsync and rename. */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Parses the JSON file at `path`, or returns undefined when it does not exist. */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Makes new or renamed entries of `dir` durable (fsync of the directory itself). */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
