// Which files the build compiles and which it copies (see build.mjs).
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Test and test-support files never reach dist. */
const EXCLUDED_FILE = /(\.spec\.ts|\.int-spec\.ts|\.e2e-spec\.ts|\.test-helper\.ts|\.d\.ts)$/;
/** Runtime files next to the sources that compiled code loads (the PostgreSQL runner, JSON). */
const COPIED_FILE = /\.(cjs|mjs|js|json)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.data', 'coverage']);

function walk(dir, onFile) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(path, onFile);
    } else if (entry.isFile()) {
      onFile(path);
    }
  }
}

function subdirectories(dir) {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/**
 * Lists `{ compile, copy }` as paths relative to `root` (with `/` separators): TypeScript under
 * libs/<lib>/src (except libs/testing and any src/testing folder), services/<svc>/src and tools/,
 * minus test files; and runtime files to copy from the libs' and services' src folders.
 */
export function collectSources(root) {
  const compile = [];
  const copy = [];
  const consider = (path, { copyRuntimeFiles }) => {
    const rel = relative(root, path).split(sep).join('/');
    if (rel.startsWith('libs/') && /^libs\/[^/]+\/src\/testing\//.test(rel)) return;
    if (EXCLUDED_FILE.test(rel)) return;
    if (rel.endsWith('.ts')) compile.push(rel);
    else if (copyRuntimeFiles && COPIED_FILE.test(rel)) copy.push(rel);
  };
  for (const lib of subdirectories(join(root, 'libs'))) {
    if (lib === 'testing') continue;
    walk(join(root, 'libs', lib, 'src'), (p) => consider(p, { copyRuntimeFiles: true }));
  }
  for (const service of subdirectories(join(root, 'services'))) {
    walk(join(root, 'services', service, 'src'), (p) => consider(p, { copyRuntimeFiles: true }));
  }
  walk(join(root, 'tools'), (p) => consider(p, { copyRuntimeFiles: false }));
  return { compile: compile.sort(), copy: copy.sort() };
}
