import { validateSync } from 'class-validator';
import { RequestValidationError } from '../errors';
import { fastAcceptorOf, type FastAcceptor } from './fast-accept.decorator';
import { describeJsonValue } from './feature-values';
import { toFieldErrors } from './to-field-errors';
import { VALIDATOR_OPTIONS } from './validation.options';

/** A DTO class with a no-argument constructor. */
export type DtoClass<T extends object> = new () => T;

/**
 * Validates a parsed JSON body against a class-validator DTO and returns the DTO instance.
 *
 * Unlike Nest's `ValidationPipe` this does not run class-transformer: the body is already plain
 * JSON, and deep-copying a 10,000-row matrix through class-transformer costs more than scoring it.
 * Own keys are copied with `defineProperty`, so a `"__proto__"` key cannot replace the prototype;
 * it and the other `Object.prototype` member names are refused as unknown properties.
 *
 * A DTO with a {@link FastAccept} acceptor skips class-validator for the bodies the acceptor
 * vouches for (it only ever accepts bodies with known, declared keys); every other body is
 * validated in full, so errors always come from the class-validator rules.
 *
 * @throws RequestValidationError listing every offending field.
 */
export function validateDto<T extends object>(type: DtoClass<T>, body: unknown): T {
  const fast = acceptorOf(type);
  if (fast !== null && fast(body)) return Object.assign(new type(), body);
  return validateDtoFully(type, body);
}

/** {@link validateDto} without the fast path: class-validator decides every body. */
export function validateDtoFully<T extends object>(type: DtoClass<T>, body: unknown): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw RequestValidationError.of(
      'body',
      `must be a JSON object, got ${describeJsonValue(body)}`,
    );
  }
  const dto = new type();
  const source = body as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    // class-validator's whitelist looks names up in a plain object, so `__proto__`,
    // `constructor`, `hasOwnProperty`... would pass as "known": refuse them here.
    if (key in Object.prototype) throw RequestValidationError.of(key, 'is not an allowed property');
    Object.defineProperty(dto, key, {
      value: source[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const errors = validateSync(dto, VALIDATOR_OPTIONS);
  if (errors.length > 0) throw new RequestValidationError(toFieldErrors(dto, errors));
  return dto;
}

const acceptors = new Map<object, FastAcceptor | null>();

function acceptorOf(type: object): FastAcceptor | null {
  let acceptor = acceptors.get(type);
  if (acceptor === undefined) {
    acceptor = fastAcceptorOf(type) ?? null;
    acceptors.set(type, acceptor);
  }
  return acceptor;
}
