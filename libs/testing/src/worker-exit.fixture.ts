// Run by test-infrastructure.int-spec.ts in a child process (`node --import tsx`): starts the
// harness, prints what it started, and exits without calling stop(), like a Jest worker that
// ends. The spec then checks that the shared PostgreSQL server went with it.
import { sharedPostgresRegistry, workerScratchDir } from './shared-postgres';
import { startTestInfrastructure } from './test-infrastructure';

void startTestInfrastructure({ kind: 'embedded' }).then(
  (infra) => {
    process.stdout.write(
      `${JSON.stringify({
        processIds: infra.processIds,
        registry: sharedPostgresRegistry(),
        scratch: workerScratchDir(),
      })}\n`,
    );
    process.exit(0);
  },
  (error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
