import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  buildOpenApiDocument,
  serializeOpenApiDocument,
  type ServiceDefinition,
} from '@fulfil/service-kit';

/** The repository root: the nearest directory above `from` holding nx.json (works from dist/ too). */
export function repositoryRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No nx.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** Where a service's OpenAPI document is committed: `services/<name>/openapi.json`. */
export function openApiPath(definition: ServiceDefinition, root = repositoryRoot()): string {
  return join(root, 'services', definition.catalog.name, 'openapi.json');
}

// Prettier 3 loads its core with a dynamic import(), which Jest's CommonJS runtime refuses;
// formatting in a plain node child works the same from Jest and from `npm run openapi`.
const PRETTIER_SCRIPT = `
const prettier = require('prettier');
let input = '';
process.stdin.on('data', (chunk) => (input += chunk)).on('end', async () => {
  const files = JSON.parse(input);
  const out = [];
  for (const { path, text } of files) {
    const options = (await prettier.resolveConfig(path)) ?? {};
    out.push(await prettier.format(text, { ...options, filepath: path }));
  }
  process.stdout.write(JSON.stringify(out));
});`;

function formatWithPrettier(
  files: ReadonlyArray<{ path: string; text: string }>,
  root: string,
): string[] {
  const result = spawnSync(process.execPath, ['-e', PRETTIER_SCRIPT], {
    cwd: root,
    input: JSON.stringify(files),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`prettier failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

/**
 * The file contents of the services' documents as the code describes them now: keys sorted,
 * then Prettier with the repository's settings, so `npm run format` never changes them.
 * Returns one entry per definition, in order, with the path it belongs at.
 */
export async function currentOpenApiFiles(
  definitions: readonly ServiceDefinition[],
  root = repositoryRoot(),
): Promise<Array<{ path: string; content: string }>> {
  const files: Array<{ path: string; text: string }> = [];
  for (const definition of definitions) {
    const text = serializeOpenApiDocument(await buildOpenApiDocument(definition));
    files.push({ path: openApiPath(definition, root), text });
  }
  const formatted = formatWithPrettier(files, root);
  return files.map((file, i) => ({ path: file.path, content: formatted[i]! }));
}
