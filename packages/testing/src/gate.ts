/**
 * `@scm/testing/gate`: the integration-test gate. It imports nothing but Node, so a package's tests can use
 * it without pulling the rest of the kit.
 *
 * @packageDocumentation
 */
import { execFileSync } from 'node:child_process';

/** The environment variable that turns a skipped integration suite into a failing one (CI sets it). */
export const REQUIRE_INTEGRATION_ENV = 'SCM_REQUIRE_INTEGRATION';

/**
 * Tells whether an integration suite can run here. Why it cannot, when it cannot: `undefined` when it can.
 * A probe may also throw; its message is then the reason.
 */
export type IntegrationProbe = () => string | undefined;

/** Options of {@link integrationGate}, for the gate's own tests. */
export interface IntegrationGateOptions {
  /** Environment read for `SCM_REQUIRE_INTEGRATION`. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where the skip notice goes. Default `console.warn`. */
  warn?: (message: string) => void;
}

/** What {@link integrationGate} decided for one suite. */
export interface IntegrationGate {
  /** The suite's name, as given. */
  readonly name: string;
  /** Why the suite cannot run here, or `undefined` when it can. */
  readonly reason: string | undefined;
  /** True when the suite's tests are to be skipped. */
  readonly skip: boolean;
  /** `title` as is, or followed by ` [skipped: <reason>]` when skipped, so the runner's listing says why. */
  title(title: string): string;
}

/**
 * A probe's answer for an HTTP service: `undefined` when a GET of `url` answers 2xx within five seconds,
 * otherwise why not. It runs synchronously (a child `node` process), so a gate can be decided while a test
 * file loads.
 *
 * ```ts
 * const gate = integrationGate('local S3 server', () => httpUnavailable(`${endpoint}/moto-api/`, 'the S3 server'));
 * ```
 */
export function httpUnavailable(url: string, what: string): string | undefined {
  const probe = `fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then(
    (r) => { if (!r.ok) { process.stderr.write('HTTP ' + r.status); process.exit(1); } },
    (e) => { process.stderr.write(String(e.cause?.message ?? e.message)); process.exit(1); })`;
  try {
    execFileSync(process.execPath, ['-e', probe, url], { stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (error) {
    const why = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    return `${what} at ${url} does not answer${why ? ` (${why})` : ''}`;
  }
}

function probeReason(probe: IntegrationProbe): string | undefined {
  try {
    return probe();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Runs `probe` once and decides whether the integration suite `name` runs. When it can, nothing happens.
 * When it cannot, the suite is skipped with the reason printed (`skip` is true and test titles carry the
 * reason), unless `SCM_REQUIRE_INTEGRATION=1`: then this throws, so the test file fails to load in any
 * test runner and CI cannot pass on a silently skipped suite.
 *
 * ```ts
 * const gate = integrationGate('pypgstac load', () => (existsSync(python) ? undefined : `no ${python}`));
 * it.skipIf(gate.skip)(gate.title('loads the NDJSON output'), () => { ... });
 * ```
 *
 * @throws Error when the suite cannot run and `SCM_REQUIRE_INTEGRATION=1`.
 */
export function integrationGate(
  name: string,
  probe: IntegrationProbe,
  options: IntegrationGateOptions = {},
): IntegrationGate {
  const reason = probeReason(probe);
  const env = options.env ?? process.env;
  if (reason !== undefined && env[REQUIRE_INTEGRATION_ENV] === '1') {
    throw new Error(`${REQUIRE_INTEGRATION_ENV}=1 but the integration suite "${name}" cannot run: ${reason}`);
  }
  if (reason !== undefined) (options.warn ?? console.warn)(`${name}: skipped (${reason})`);
  const skip = reason !== undefined;
  return {
    name,
    reason,
    skip,
    title: (title) => (skip ? `${title} [skipped: ${reason}]` : title),
  };
}
