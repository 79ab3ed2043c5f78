// Step two of `npm start`: the incremental build (tools/build/build.mjs) in its own process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Builds dist/; exits the process when the build fails. */
export function runBuild(root) {
  const result = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(`start: the build failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
