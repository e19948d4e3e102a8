import { InvalidTicketError } from '../../edge-functions/core/errors';

/** Why a ticket check refused (`InvalidTicketError.reason`), or 'accepted'; any other error is rethrown. */
export function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidTicketError) return error.reason;
    throw error;
  }
  return 'accepted';
}
