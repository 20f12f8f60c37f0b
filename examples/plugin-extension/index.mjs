// Entry point of the plugin package: a plain definition as the default export.
import { definition } from './definition.mjs';

export default definition;
