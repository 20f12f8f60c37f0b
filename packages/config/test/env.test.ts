// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the configuration substitution syntax, not a template
import { describe, expect, it } from 'vitest';
import { expandEnv, loadConfig, parseConfig, substituteEnv } from '../src/index.js';
import { fixture, scmErrorOf } from './helpers.js';

const base = 'source: {type: other}\noutput: {path: o}\n';

describe('substituteEnv', () => {
  it('replaces ${VAR}, applies ${VAR:-default} and unescapes $$', () => {
    const env = { A: 'alpha', EMPTY: '' };
    expect(substituteEnv('x-${A}-y', env, 'f')).toBe('x-alpha-y');
    expect(substituteEnv('${B:-beta}', env, 'f')).toBe('beta');
    expect(substituteEnv('${EMPTY:-fallback}', env, 'f')).toBe('fallback');
    expect(substituteEnv('${A:-unused}', env, 'f')).toBe('alpha');
    expect(substituteEnv('${B:-}', env, 'f')).toBe('');
    expect(substituteEnv('cost: $$5, $HOME, $', env, 'f')).toBe('cost: $5, $HOME, $');
    expect(substituteEnv('$${A}', env, 'f')).toBe('${A}');
    expect(substituteEnv('${B:-a:-b}', env, 'f')).toBe('a:-b');
  });

  it('never re-expands a substituted value', () => {
    expect(substituteEnv('${A}', { A: '${B}', B: 'no' }, 'f')).toBe('${B}');
  });

  it('throws SCM_CONFIG_ENV_MISSING naming every unset variable and the location', async () => {
    const error = await scmErrorOf(() =>
      substituteEnv('${ONE}/${TWO:-2}/${THREE}', {}, 'c.yaml', { line: 4, column: 9, path: 'output.path' }),
    );
    expect(error.code).toBe('SCM_CONFIG_ENV_MISSING');
    expect(error.message).toContain('c.yaml:4:9 output.path: environment variable "ONE" is not set');
    expect(error.message).toContain('environment variable "THREE" is not set');
    expect(error.details?.variables).toEqual(['ONE', 'THREE']);
    expect(error.location).toEqual({ file: 'c.yaml', line: 4, column: 9, path: 'output.path' });
  });

  it('throws SCM_CONFIG_PARSE for a malformed reference', async () => {
    const error = await scmErrorOf(() => substituteEnv('${not valid}', {}, 'c.yaml'));
    expect(error.code).toBe('SCM_CONFIG_PARSE');
    expect(error.message).toContain('malformed reference "${not valid}"');
  });

  it('expandEnv reports problems without throwing', () => {
    expect(expandEnv('a ${X} ${1} ${Y', { X: 'x' })).toEqual({
      value: 'a x ${1} ${Y',
      changed: true,
      problems: [
        { kind: 'syntax', name: '${1}', offset: 7 },
        { kind: 'syntax', name: '${Y', offset: 12 },
      ],
    });
  });
});

describe('substitution in configuration files', () => {
  it('substitutes string values and converts them where the schema wants numbers', async () => {
    const config = await loadConfig(fixture('env.yaml'), {
      env: {
        STAC_URL: 'https://stac.example.com/v1',
        API_TOKEN: 's3cr3t',
        CONCURRENCY: '8',
        INJECTED: 'plain',
      },
    });
    expect(config.workflow).toEqual({ name: 'nightly harvest', description: 'plain' });
    expect(config.source.catalog_url).toBe('https://stac.example.com/v1');
    expect(config.source.headers).toEqual({ Authorization: 'Bearer s3cr3t', 'X-Price': 'costs $5 and EUR' });
    expect(config.output.path).toMatch(/fixtures\/out$/);
    expect(config.processing.concurrency).toBe(8);
    expect(config.processing.timeout_s).toBe(45);
  });

  it('keeps a substituted value a plain string even when it holds YAML syntax', async () => {
    const injected = '{evil: true}\nextra_key: [1, 2]\n&anchor *alias !!js/function "x"\n# comment';
    const config = await loadConfig(fixture('env.yaml'), {
      env: { STAC_URL: 'https://stac.example.com', API_TOKEN: 't', CONCURRENCY: '1', INJECTED: injected },
    });
    expect(config.workflow.description).toBe(injected);
    expect(config).not.toHaveProperty('extra_key');
  });

  it('does not turn a numeric-looking secret into a number where a string is expected', () => {
    const config = parseConfig(
      `workflow: {name: n}\nsource:\n  type: other\n  headers:\n    X-Key: \${KEY}\noutput: {path: o}\n`,
      'c.yaml',
      {
        env: { KEY: '0012345' },
      },
    );
    expect(config.source.headers).toEqual({ 'X-Key': '0012345' });
  });

  it('reports a substituted value that is not a number where one is needed', () => {
    const text = `workflow: {name: n}\n${base}processing:\n  concurrency: \${CONC}\n`;
    expect(() => parseConfig(text, 'c.yaml', { env: { CONC: 'many' } })).toThrow(
      'c.yaml:5:16 processing.concurrency: must be integer (found a string)',
    );
  });

  it('reports every unset variable with file:line:column and key path', async () => {
    const file = fixture('env-missing.yaml');
    const error = await scmErrorOf(() => loadConfig(file, { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_ENV_MISSING');
    expect(error.message).toContain(
      `${file}:7:28 source.headers.Authorization: environment variable "SCM_TEST_UNSET_TOKEN" is not set`,
    );
    expect(error.message).toContain(
      `${file}:9:9 output.path: environment variable "SCM_TEST_UNSET_OUT" is not set`,
    );
    expect(error.details?.variables).toEqual(['SCM_TEST_UNSET_TOKEN', 'SCM_TEST_UNSET_OUT']);
    expect(error.location).toMatchObject({ line: 7, column: 28, path: 'source.headers.Authorization' });
  });

  it('leaves keys and comments alone', () => {
    const text = `# \${NOT_A_VALUE}\nworkflow: {name: n}\n${base}transformation:\n  lookup_tables:\n    "\${KEY}": v\n`;
    expect(parseConfig(text, 'c.yaml', { env: {} }).transformation?.lookup_tables).toEqual({ '${KEY}': 'v' });
  });

  it('reports a malformed reference as SCM_CONFIG_PARSE at its position', async () => {
    const text = `workflow: {name: "x \${bad-name}"}\n${base}`;
    const error = await scmErrorOf(() => parseConfig(text, 'c.yaml', { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_PARSE');
    expect(error.message).toContain('c.yaml:1:21 workflow.name: malformed reference "${bad-name}"');
  });
});
