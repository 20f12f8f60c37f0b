import { defineConfig } from 'tsup';

const entries = {
  index: 'src/index.ts',
  // `@scm/workflow/validate`: the validate command without the writers (see src/validate-entry.ts).
  validate: 'src/validate-entry.ts',
};

export default defineConfig({
  // worker-extensions.ts is imported by the validator worker threads (batch-validator.ts).
  entry: { ...entries, 'worker-extensions': 'src/worker-extensions.ts' },
  dts: { entry: entries },
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
});
