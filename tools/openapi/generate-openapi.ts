import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { currentOpenApiFiles, repositoryRoot } from './openapi-files';
import { SERVICE_DEFINITIONS } from './service-definitions';

// Writes services/<name>/openapi.json for every service (`npm run openapi`). Needs no
// database or Kafka: the documents come from the route metadata alone.
async function main(): Promise<void> {
  const root = repositoryRoot();
  for (const { path, content } of await currentOpenApiFiles(SERVICE_DEFINITIONS, root)) {
    writeFileSync(path, content);
    console.log(`wrote ${relative(root, path)}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
