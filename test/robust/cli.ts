/** The built CLI, for the robustness tests that spawn it (built on demand by test/cli/helpers.ts). */
export { BIN, ROOT, ensureBuilt } from '../cli/helpers';
