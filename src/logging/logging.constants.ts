/** Injection token of the root pino logger every log line goes through. */
export const PINO_ROOT = 'LOGGING:PINO_ROOT';
