import 'reflect-metadata';

/** Metadata key of {@link FastAccept}. */
const FAST_ACCEPT = 'validation:fast-accept';

/** Returns true only for bodies the DTO's class-validator rules accept. */
export type FastAcceptor = (body: unknown) => boolean;

/**
 * Declares a hand-written acceptor for a DTO's hot path. It may only answer true for bodies the
 * DTO's decorators accept (a property test must pin this down); a body it does not accept goes
 * through class-validator, which stays the definition of the rules and produces the errors.
 */
export function FastAccept(acceptor: FastAcceptor): ClassDecorator {
  return (target) => Reflect.defineMetadata(FAST_ACCEPT, acceptor, target);
}

/** The acceptor declared on `type`, if any. */
export function fastAcceptorOf(type: object): FastAcceptor | undefined {
  return Reflect.getMetadata(FAST_ACCEPT, type) as FastAcceptor | undefined;
}
