/**
 * Stable names for what made a record fail scaffolding. Each failure carries
 * one in `error_context.rule`, so scripts can group and filter failures
 * without parsing messages. Never rename one; append new ones.
 */
export const ScaffoldRules = [
  'record_invalid',
  'id_missing',
  'field_invalid',
  'datetime_missing',
  'datetime_invalid',
  'datetime_order',
  'geometry_missing',
  'geometry_invalid',
  'geometry_not_finite',
  'geometry_out_of_range',
  'geometry_ring_not_closed',
  'geometry_ring_too_short',
  'geometry_zero_area',
  'geometry_self_intersection',
  'geometry_winds_around_pole',
] as const;

/** One of {@link ScaffoldRules}. */
export type ScaffoldRule = (typeof ScaffoldRules)[number];

/** A problem found while scaffolding: which rule and a message naming the field. */
export interface Problem {
  rule: ScaffoldRule;
  message: string;
}
