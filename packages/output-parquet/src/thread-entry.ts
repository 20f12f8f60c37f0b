/**
 * The entry file of one of this package's threads: `dist/<name>.js` next to the built file, or, when this
 * module runs from the TypeScript sources (tests), `dev/<name>-source.mjs`, which registers a TypeScript
 * loader and loads `src/<name>.ts`. dev/ is not published: a source run only happens inside the repository.
 */
export function threadEntry(name: string, dev: string): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL(`../dev/${dev}.mjs`, here) : new URL(`./${name}.js`, here);
}
