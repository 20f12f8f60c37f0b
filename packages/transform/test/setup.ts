// Mappings are checked with the JSON Schema compiler of the core contract, which importing @scm/validate
// provides; the workflow imports it the same way.
import '@scm/validate';
