import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { currentOpenApiFiles, repositoryRoot } from './openapi-files';
import { SERVICE_DEFINITIONS } from './service-definitions';

/** Line number and both versions of the first line where the texts differ. */
function firstDifference(committed: string, current: string): string {
  const a = committed.split('\n');
  const b = current.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, code ${JSON.stringify(b[at])}`;
}

// The committed documents are the API's contract for other teams: they must match the code.
describe('committed OpenAPI documents', () => {
  it('match what the code describes now, for every service', async () => {
    const root = repositoryRoot();
    const stale: string[] = [];
    for (const { path, content } of await currentOpenApiFiles(SERVICE_DEFINITIONS, root)) {
      let committed = '';
      try {
        committed = readFileSync(path, 'utf8');
      } catch {
        committed = '';
      }
      if (committed !== content) {
        stale.push(`${relative(root, path)} (${firstDifference(committed, content)})`);
      }
    }
    if (stale.length > 0) {
      throw new Error(
        `Out of date: ${stale.join('; ')}. Run \`npm run openapi\` and commit the result.`,
      );
    }
  });
});
