// Injection tokens live apart from the classes that use them: under native ESM an import
// cycle through a token file would leave it undefined at decoration time.

/** The validated configuration (`ChatConfig`). */
export const CHAT_CONFIG = Symbol('CHAT_CONFIG');
/** The process's pino `Logger`. */
export const CHAT_LOGGER = Symbol('CHAT_LOGGER');
