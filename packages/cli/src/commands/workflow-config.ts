import type { WorkflowConfig } from '@scm/config';

/**
 * Reads and checks a workflow config file (`--config`). Neither `@scm/config` nor `@scm/validate` is
 * loaded when the CLI starts; the config's schema is compiled through the compiler that importing
 * `@scm/validate` provides, so both are loaded here, before the file is read.
 */
export async function readWorkflowConfig(
  path: string,
  env: Record<string, string | undefined>,
): Promise<WorkflowConfig> {
  const [{ loadConfig }] = await Promise.all([import('@scm/config'), import('@scm/validate')]);
  return loadConfig(path, { env });
}
