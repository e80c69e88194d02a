import { Inject, Injectable, type InjectionToken } from '@nestjs/common';

/**
 * Marks `type` injectable with its constructor's dependencies named explicitly, the same as
 * `@Injectable()` on the class and `@Inject(token)` on each parameter. Applied as functions rather
 * than written as decorators, so this adapter needs neither `experimentalDecorators` nor
 * `emitDecoratorMetadata` from whoever compiles it, and its classes resolve under tsx, esbuild or
 * oxc, which emit no parameter types.
 */
export function injectable(
  type: abstract new (...args: never[]) => unknown,
  ...dependencies: InjectionToken[]
): void {
  Injectable()(type);
  dependencies.forEach((token, index) => {
    Inject(token)(type, undefined, index);
  });
}
