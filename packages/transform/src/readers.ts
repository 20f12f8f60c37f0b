import type { Geometry } from '@scm/core';

/**
 * Reads WKT or EWKT into a GeoJSON geometry. The one implementation is
 * `readWkt` of `@scm/scaffold`; `@scm/workflow` and the CLI pass it in
 * {@link ParseMappingOptions.readWkt}, so this package carries no WKT parser
 * of its own. Without `anySrid`, an SRID other than WGS 84 is refused and the
 * failure carries it.
 */
export type WktReader = (
  text: string,
  options?: { anySrid?: boolean },
) => { ok: true; geometry: Geometry; srid?: number } | { ok: false; problem: string; srid?: number };

/**
 * Parses CSV text into rows of strings, the header row first. The one
 * implementation is `parseCsvText` of `@scm/input` (papaparse), passed in
 * {@link ParseMappingOptions.parseCsv} for lookup tables.
 */
export type CsvRowsReader = (text: string) => string[][];

/** A YAML or JSON document read by a {@link YamlReader}. */
export type YamlReadResult =
  | {
      ok: true;
      /** The plain data of the document. */
      data: unknown;
      /** 1-based line of the node at a key path, or of its nearest parent found. */
      lineOf(path: readonly (string | number)[]): number | undefined;
    }
  | {
      ok: false;
      /** Why the text was refused (syntax, alias limit, forbidden key, duplicate key...). */
      message: string;
      /** 1-based line and column of the problem, when known. */
      line?: number;
      column?: number;
    };

/**
 * Parses YAML (or JSON) text safely. The one implementation is `readYaml` of
 * `@scm/config`, passed in {@link ParseMappingOptions.parseYaml}, so mapping
 * files are read with the same limits as configuration files.
 */
export type YamlReader = (text: string, file: string | undefined) => YamlReadResult;
