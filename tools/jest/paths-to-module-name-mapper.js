// Maps the tsconfig `paths` aliases (@fulfil/*) to files so Jest resolves them
// exactly as the TypeScript compiler and tsx do.
function pathsToModuleNameMapper(paths, rootDir) {
  const mapper = {};
  for (const [alias, [target]] of Object.entries(paths)) {
    const pattern = '^' + alias.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace('*', '(.*)') + '$';
    mapper[pattern] = `${rootDir}/${target.replace('*', '$1')}`;
  }
  return mapper;
}
module.exports = { pathsToModuleNameMapper };
