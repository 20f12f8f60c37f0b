export type { LogLine } from '@scm/testing';
export { memoryLogger } from '@scm/testing';
