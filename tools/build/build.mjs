#!/usr/bin/env node
// `npm run build`: compiles the workspace's TypeScript with @swc/core into dist/, mirroring the
// source tree (libs/x/src/a.ts → dist/libs/x/src/a.js), as CommonJS ES2022 with legacy
// decorators, decorator metadata and source maps. `@fulfil/<name>` imports become relative
// paths into dist (swc `jsc.paths`), so `node dist/services/orders/src/main.js` runs without
// path-mapping hooks. Runtime files next to the sources (.cjs, .json, ...) are copied.
//
// Incremental: a file is recompiled only when its size or mtime changed (or the compiler
// options did); outputs of deleted sources are removed. `--clean` rebuilds everything;
// `--out-dir <dir>` writes elsewhere than dist/ (tests). Files are written atomically (temp file
// + rename), so a process loading dist/ during a rebuild never reads half a file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { copyFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { collectSources } from './sources.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: ARGS } = parseArgs({
  options: { clean: { type: 'boolean', default: false }, 'out-dir': { type: 'string' } },
});
const DIST = resolve(ROOT, ARGS['out-dir'] ?? 'dist');
const MANIFEST = join(DIST, '.build-manifest.json');

/** Writes through a temporary file and a rename, so readers see the old or the new file. */
async function writeAtomically(path, content) {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

function swcOptions() {
  const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8'));
  return {
    sourceMaps: true,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: ROOT,
      paths: compilerOptions.paths ?? {},
    },
    module: { type: 'commonjs' },
  };
}

function loadManifest(optionsHash, clean) {
  if (clean) return {};
  try {
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    return manifest.optionsHash === optionsHash ? manifest.files : {};
  } catch {
    return {};
  }
}

const fingerprint = (path) => {
  const stat = statSync(path);
  return `${stat.size}:${stat.mtimeMs}`;
};
const outputOf = (rel) => join(DIST, rel.replace(/\.ts$/, '.js'));

async function compile(swc, options, rel) {
  const source = join(ROOT, rel);
  const output = outputOf(rel);
  const result = await swc.transformFile(source, {
    ...options,
    filename: source,
    sourceFileName: relative(dirname(output), source),
  });
  mkdirSync(dirname(output), { recursive: true });
  await Promise.all([
    writeAtomically(output, `${result.code}\n//# sourceMappingURL=${basename(output)}.map\n`),
    writeAtomically(`${output}.map`, result.map ?? ''),
  ]);
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function eachLimited(items, limit, work) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}

async function main() {
  const started = Date.now();
  const clean = ARGS.clean;
  const require = createRequire(import.meta.url);
  const swc = require('@swc/core');
  const options = swcOptions();
  const optionsHash = createHash('sha256')
    .update(JSON.stringify(options) + (swc.version ?? ''))
    .digest('hex');
  const previous = loadManifest(optionsHash, clean);
  const { compile: toCompile, copy: toCopy } = collectSources(ROOT);
  const files = {};
  const stale = [];
  for (const rel of [...toCompile, ...toCopy]) {
    files[rel] = fingerprint(join(ROOT, rel));
    const output = rel.endsWith('.ts') ? outputOf(rel) : join(DIST, rel);
    if (previous[rel] !== files[rel] || !existsSync(output)) stale.push(rel);
  }
  let removed = 0;
  for (const rel of Object.keys(previous)) {
    if (files[rel]) continue;
    const output = rel.endsWith('.ts') ? outputOf(rel) : join(DIST, rel);
    rmSync(output, { force: true });
    rmSync(`${output}.map`, { force: true });
    removed++;
  }
  const failures = [];
  await eachLimited(stale, 16, async (rel) => {
    try {
      if (rel.endsWith('.ts')) {
        await compile(swc, options, rel);
      } else {
        mkdirSync(dirname(join(DIST, rel)), { recursive: true });
        const temporary = `${join(DIST, rel)}.${process.pid}.tmp`;
        await copyFile(join(ROOT, rel), temporary);
        await rename(temporary, join(DIST, rel));
      }
    } catch (error) {
      failures.push(`${rel}: ${error.message ?? error}`);
      delete files[rel];
    }
  });
  mkdirSync(DIST, { recursive: true });
  await writeAtomically(MANIFEST, JSON.stringify({ optionsHash, files }));
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  const compiledNow = stale.filter((rel) => rel.endsWith('.ts')).length;
  const copiedNow = stale.length - compiledNow;
  if (failures.length > 0) {
    console.error(`build failed:\n  ${failures.join('\n  ')}`);
  }
  console.log(
    `build: ${toCompile.length} TypeScript files (${compiledNow} compiled), ${toCopy.length} runtime files (${copiedNow} copied), ${removed} removed, ${failures.length} failed → ${relative(ROOT, DIST) || '.'}/ in ${seconds} s`,
  );
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`build failed: ${error.stack ?? error}`);
  process.exitCode = 1;
});
