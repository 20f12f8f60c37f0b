import { describe, expect, it } from 'vitest';
import {
  isScmError,
  provideSchemaCompiler,
  requireSchemaCompiler,
  type SchemaCompiler,
} from '../src/index.js';

describe('the SchemaCompiler contract', () => {
  it('says SCM_INTERNAL, naming the package that provides one, until a compiler is provided', () => {
    let thrown: unknown;
    try {
      requireSchemaCompiler();
    } catch (error) {
      thrown = error;
    }
    expect(isScmError(thrown) && thrown.code).toBe('SCM_INTERNAL');
    expect(String((thrown as Error).message)).toMatch(/@scm\/validate/);
  });

  it('hands out the compiler that was provided', () => {
    const compiler: SchemaCompiler = () => Object.assign(() => true, { errors: null });
    provideSchemaCompiler(compiler);
    expect(requireSchemaCompiler()).toBe(compiler);
  });
});
