// FULFIL_PIDS_FILE: every process `npm start` started, for tests and tools that check that
// none survives it. Rewritten whenever a process is added.
import { writeFileSync } from 'node:fs';

export function pidsRecorder(file) {
  const processes = [];
  const write = () => {
    if (!file) return;
    writeFileSync(file, `${JSON.stringify({ start: process.pid, processes }, null, 2)}\n`);
  };
  write();
  return {
    /** Records `pid` as `name` (e.g. `orders`, `postgres`). */
    add(name, pid) {
      if (!Number.isInteger(pid) || pid <= 0) return;
      processes.push({ name, pid });
      write();
    },
  };
}
