/** The options given to `AuthjwtModule.forRoot()` (or made by `forRootAsync()`'s factory). */
export const AUTHJWT_OPTIONS = Symbol.for('authjwt.nestjs.options');

/** The framework-free HTTP layer (`HttpAuth` of `authjwt/http`) the module made from those options. */
export const AUTHJWT_HTTP = Symbol.for('authjwt.nestjs.http');
