/** The edge's own error messages that no route test reads word for word. */
import { NotFoundError } from '../../../edge-functions/core/errors';
import { PRESIGN_ROUTES } from '../../../edge-functions/core/presign-routes';

describe('NotFoundError', () => {
  it('names every presign route, so a client that took a wrong path learns the right ones', () => {
    const error = new NotFoundError();
    expect(error.message).toBe(
      'There is nothing here: the presign routes are /presign, /presign/multipart, /presign/multipart/parts, /presign/files and /presign/files/access.',
    );
    for (const route of PRESIGN_ROUTES) expect(error.message).toContain(route);
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });
});
