/** A route that exists only when configured (e.g. `POST /model/reload` without `ADMIN_TOKEN`). */
export class RouteNotFoundError extends Error {
  override readonly name = 'RouteNotFoundError';

  constructor() {
    super('route not found');
  }
}
