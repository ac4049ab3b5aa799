import { featureConstraint } from './feature-constraint';

/** Constraint name of {@link ExactlyOneOf}. */
export const EXACTLY_ONE_OF = 'exactlyOneOf';

/**
 * The object must carry exactly one of `properties` (the decorated one first). Put it on the
 * first property; a missing choice is reported on it, a second one on the extra property.
 */
export function ExactlyOneOf(
  properties: readonly [string, string, ...string[]],
): PropertyDecorator {
  const names = properties.join(' or ');
  return featureConstraint(EXACTLY_ONE_OF, (_value, _property, object) => {
    const present = properties.filter((p) => (object as Record<string, unknown>)[p] !== undefined);
    if (present.length === 1) return null;
    if (present.length === 0) {
      return { field: properties[0], message: `is required (send exactly one of ${names})` };
    }
    return {
      field: present[1],
      message: `cannot be combined with ${present[0]} (send exactly one of ${names})`,
    };
  });
}
