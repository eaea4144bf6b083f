/** The `DatabaseOptions` of `DatabaseModule.forRoot` (a file of its own: ESM import cycles). */
export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');
