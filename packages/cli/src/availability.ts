/** What help says of a capability that is declared but not built yet. */
export const NOT_YET_AVAILABLE = 'not yet available';

/**
 * Describes an option whose listed values are not built yet, e.g.
 * `rebuild mode (incremental, targeted: not yet available)`; the command's
 * action rejects those values with `SCM_NOT_IMPLEMENTED`.
 */
export function notYetAvailableValues(description: string, values: readonly string[]): string {
  return `${description} (${values.join(', ')}: ${NOT_YET_AVAILABLE})`;
}
