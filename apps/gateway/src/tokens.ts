/** Injection tokens, in a file of their own so that no import cycle can leave one undefined. */
export const LOGGER = Symbol('LOGGER');
export const OBJECT_STORAGE = Symbol('OBJECT_STORAGE');
