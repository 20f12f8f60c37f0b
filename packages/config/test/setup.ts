// Config checks its data with the JSON Schema compiler of the core contract, which importing @scm/validate
// provides; the CLI and the workflow import it the same way.
import '@scm/validate';
