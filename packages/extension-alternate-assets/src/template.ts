/** Values available to an href template. */
export interface TemplateValues {
  /** `{0}`, `{1}`…: the whole match and its groups (match rules); `{0}` is the whole href for prefix rules. */
  groups: readonly (string | undefined)[];
  /** Named groups of a match rule: `{name}`. */
  named?: Readonly<Record<string, string | undefined>>;
  /** `{rest}`: the href after the prefix (prefix rules). */
  rest?: string;
  /** `{asset_key}`. */
  assetKey: string;
  /** `{id}`: the Item or Collection id. */
  id: string;
  /** `{collection}`: the Item's collection, or the Collection's id. */
  collection: string;
}

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

/** Placeholder names used in `template`. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Fills `{…}` placeholders; an unmatched optional group gives an empty string. */
export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (/^\d+$/.test(name)) return values.groups[Number(name)] ?? '';
    switch (name) {
      case 'rest':
        return values.rest ?? '';
      case 'asset_key':
        return values.assetKey;
      case 'id':
        return values.id;
      case 'collection':
        return values.collection;
      default:
        return values.named && Object.hasOwn(values.named, name) ? (values.named[name] ?? '') : whole;
    }
  });
}

/** Number of capture groups and the group names of a regular expression. */
export function groupsOf(pattern: string): { count: number; names: string[] } {
  const count = new RegExp(`${pattern}|`).exec('')!.length - 1;
  const names = [...pattern.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]!);
  return { count, names };
}
