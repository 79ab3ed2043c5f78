import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const REPO_ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

/** Builds into a temporary directory, so the test never races with a developer's dist/. */
async function build(outDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [join(REPO_ROOT, 'tools/build/build.mjs'), '--out-dir', outDir, ...args],
    { cwd: REPO_ROOT },
  );
  return stdout.trim();
}

describe('tools/build/build.mjs', () => {
  let outDir: string;
  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'fulfil-build-'));
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('compiles libraries to CommonJS that runs, with @fulfil imports made relative', async () => {
    const summary = await build(outDir, '--clean');
    expect(summary).toMatch(/^build: \d+ TypeScript files \(\d+ compiled\).* 0 failed/);
    // The output lives outside the repository, so its npm dependencies resolve through NODE_PATH.
    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        `const c = require(${JSON.stringify(join(outDir, 'libs/contracts/src/index.js'))});
       process.stdout.write(Object.keys(c.SERVICE_CATALOG).join(','));`,
      ],
      { env: { ...process.env, NODE_PATH: join(REPO_ROOT, 'node_modules') } },
    );
    expect(stdout).toBe('orders,inventory,payments,logistics,after-sales,notifications');
    const compiled = readFileSync(join(outDir, 'libs/local-infra/src/index.js'), 'utf8');
    expect(compiled).toContain('require("./embedded-postgres")');
    expect(compiled).toMatch(/sourceMappingURL=index\.js\.map/);
    expect(existsSync(join(outDir, 'libs/local-infra/src/index.js.map'))).toBe(true);
  });

  it('rewrites @fulfil/<name> imports and emits decorator metadata', async () => {
    const grep = (pattern: string) =>
      run('grep', ['-rl', '--include=*.js', pattern, outDir]).then(
        ({ stdout }) => stdout.trim(),
        (error: { stdout: string }) => error.stdout.trim(),
      );
    expect(await grep('require("@fulfil/')).toBe('');
    // Services and the service kit import other projects: those became paths into the output.
    expect(await grep('require("../../../libs/')).not.toBe('');
    expect(await grep('design:paramtypes')).not.toBe('');
  });

  it('copies runtime files and leaves tests and test support out', async () => {
    expect(existsSync(join(outDir, 'libs/local-infra/src/postgres-runner.cjs'))).toBe(true);
    expect(existsSync(join(outDir, 'libs/testing'))).toBe(false);
    expect(existsSync(join(outDir, 'libs/dev-broker/src/testing'))).toBe(false);
    expect(existsSync(join(outDir, 'libs/local-infra/src/local-infra.int-spec.js'))).toBe(false);
    expect(existsSync(join(outDir, 'tools/build/build.int-spec.js'))).toBe(false);
    const { stdout } = await run('find', [outDir, '-name', '*.test-helper.js']);
    expect(stdout.trim()).toBe('');
  });

  it('recompiles only what changed', async () => {
    const again = await build(outDir);
    expect(again).toMatch(/\(0 compiled\).*\(0 copied\)/);
    const touched = join(REPO_ROOT, 'libs/local-infra/src/databases.ts');
    const now = new Date();
    utimesSync(touched, now, now);
    expect(await build(outDir)).toMatch(/\(1 compiled\)/);
  });
});
