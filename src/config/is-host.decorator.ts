import { isFQDN, isIP, ValidateBy, type ValidationOptions } from 'class-validator';

/** An IPv4/IPv6 address or a host name (`localhost`, `api.internal`) to listen on. */
export function IsHost(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHost',
      validator: {
        validate: (value: unknown): boolean =>
          typeof value === 'string' &&
          (isIP(value) || isFQDN(value, { require_tld: false, allow_underscores: false })),
        defaultMessage: () => '$property must be an IP address or a host name',
      },
    },
    options,
  );
}
