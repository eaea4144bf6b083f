// What chat offers outside its process, for benchmarks only (the `allow` list of
// @nx/enforce-module-boundaries in eslint.config.mjs). Everything else of chat is reached
// through its messages.
export { OutputSanitizer } from './safety/output-sanitizer';
