import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { ASYNCAPI_PATH, renderAsyncApiYaml } from './asyncapi-yaml';
import { EVENTS_DOC_PATH, replaceEventsTable } from './events-table';

/**
 * Writes docs/asyncapi.yaml and the event tables of docs/events.md from the contracts, formatted
 * by the repository's Prettier settings: `npx tsx libs/contracts/src/asyncapi/write-asyncapi.ts`.
 */
async function main(): Promise<void> {
  const root = join(__dirname, '..', '..', '..', '..');
  const write = async (path: string, text: string): Promise<void> => {
    const target = join(root, path);
    const options = (await resolveConfig(target)) ?? {};
    writeFileSync(target, await format(text, { ...options, filepath: target }));
    console.log(`wrote ${path}`);
  };
  await write(ASYNCAPI_PATH, renderAsyncApiYaml());
  await write(
    EVENTS_DOC_PATH,
    replaceEventsTable(readFileSync(join(root, EVENTS_DOC_PATH), 'utf8')),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
