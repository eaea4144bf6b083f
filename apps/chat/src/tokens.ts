// Injection tokens live apart from the classes that use them: under native ESM an import
// cycle through a token file would leave it undefined at decoration time.
export const CHAT_CONFIG = Symbol('CHAT_CONFIG');
export const CHAT_LOGGER = Symbol('CHAT_LOGGER');
/** The platform's model settings (`PlatformModelSettings`), from the configuration. */
export const PLATFORM_MODELS = Symbol('PLATFORM_MODELS');
