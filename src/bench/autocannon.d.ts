/** The subset of autocannon's API the HTTP benchmark uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    duration?: number;
    /** Request sequence; `setupRequest` may rewrite each request (e.g. cycle bodies). */
    requests?: {
      setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
    }[];
  }

  interface Result {
    errors: number;
    timeouts: number;
    non2xx: number;
  }

  function autocannon(
    options: Options,
    done: (err: Error | null, result: Result) => void,
  ): EventEmitter;

  export default autocannon;
}
