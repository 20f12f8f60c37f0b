/** The two published dgeo schema variants. */
export type DgeoVariant = 'pgstac-variant' | 'main';

/** Schema URI of the `pgstac-variant` branch (the default), exactly as its schema requires it in `stac_extensions`. */
export const DGEO_PGSTAC_VARIANT_URI =
  'https://raw.githubusercontent.com/DecentralizedGeo/dgeo-asset/refs/heads/pgstac-variant/json-schema/schema.json';

/** Schema URI of the `main` branch of DecentralizedGeo/dgeo, exactly as its schema requires it. */
export const DGEO_MAIN_URI =
  'https://raw.githubusercontent.com/DecentralizedGeo/dgeo/refs/heads/main/json-schema/schema.json';

/** Schema URI per variant. */
export const DGEO_SCHEMA_URIS: Readonly<Record<DgeoVariant, string>> = Object.freeze({
  'pgstac-variant': DGEO_PGSTAC_VARIANT_URI,
  main: DGEO_MAIN_URI,
});

/**
 * Older or informal dgeo URIs found in data (the repository was renamed from dgeo-asset to dgeo, examples
 * used the `main` raw URL, READMEs link GitHub `blob` pages). Applying the extension replaces any of them,
 * and the other variant's URI, by the configured variant's URI.
 */
export const DGEO_URI_ALIASES: readonly string[] = Object.freeze([
  'https://raw.githubusercontent.com/DecentralizedGeo/dgeo-asset/main/json-schema/schema.json',
  'https://raw.githubusercontent.com/DecentralizedGeo/dgeo-asset/refs/heads/main/json-schema/schema.json',
  'https://raw.githubusercontent.com/DecentralizedGeo/dgeo-asset/pgstac-variant/json-schema/schema.json',
  'https://raw.githubusercontent.com/DecentralizedGeo/dgeo/main/json-schema/schema.json',
  'https://raw.githubusercontent.com/DecentralizedGeo/dgeo/pgstac-variant/json-schema/schema.json',
  'https://raw.githubusercontent.com/DecentralizedGeo/dgeo/refs/heads/pgstac-variant/json-schema/schema.json',
  'https://github.com/DecentralizedGeo/dgeo-asset/blob/main/json-schema/schema.json',
  'https://github.com/DecentralizedGeo/dgeo-asset/blob/pgstac-variant/json-schema/schema.json',
  'https://github.com/DecentralizedGeo/dgeo/blob/main/json-schema/schema.json',
  'https://github.com/DecentralizedGeo/dgeo/blob/pgstac-variant/json-schema/schema.json',
]);

/** URIs that `variant` replaces: every alias (with or without a trailing `#`), the other variant, and `extra`. */
export function replacedUris(variant: DgeoVariant, extra: readonly string[] = []): string[] {
  const other = variant === 'main' ? DGEO_PGSTAC_VARIANT_URI : DGEO_MAIN_URI;
  const out = new Set<string>();
  for (const uri of [...DGEO_URI_ALIASES, other, ...extra]) {
    out.add(uri);
    out.add(uri.endsWith('#') ? uri.slice(0, -1) : `${uri}#`);
  }
  out.add(`${DGEO_SCHEMA_URIS[variant]}#`);
  return [...out];
}

/** Which dgeo URIs `stac_extensions` declares: canonical variants and aliases. */
export function declaredDgeo(stacExtensions: unknown): { variants: DgeoVariant[]; aliases: string[] } {
  const variants: DgeoVariant[] = [];
  const aliases: string[] = [];
  if (!Array.isArray(stacExtensions)) return { variants, aliases };
  for (const raw of stacExtensions) {
    if (typeof raw !== 'string') continue;
    const uri = raw.endsWith('#') ? raw.slice(0, -1) : raw;
    if (uri === DGEO_PGSTAC_VARIANT_URI) variants.push('pgstac-variant');
    else if (uri === DGEO_MAIN_URI) variants.push('main');
    else if (DGEO_URI_ALIASES.includes(uri)) aliases.push(raw);
  }
  return { variants, aliases };
}
