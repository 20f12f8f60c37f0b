// The extension's config schema (and testExtension's schema check) are compiled with the JSON Schema compiler of
// the core contract, which importing @scm/validate provides; the workflow and the CLI import it the same way.
import '@scm/validate';
