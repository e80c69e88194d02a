/** A refusal the client passes on: the HTTP status and the contract's `code`, never a token. */
export class AuthClientError extends Error {
  override readonly name = 'AuthClientError';
  constructor(
    readonly status: number,
    /** The refusal's `code` (`invalid_credentials`, `too_many_attempts`, ...), or `network`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface RefusalBody {
  code?: unknown;
  message?: unknown;
}

/** The `code` and `message` of a refusal body, read from a clone so the caller can still read it. */
export async function refusalOf(response: Response): Promise<{ code: string; message: string }> {
  let body: RefusalBody | undefined;
  try {
    body = (await response.clone().json()) as RefusalBody;
  } catch {
    body = undefined;
  }
  return {
    code: typeof body?.code === 'string' ? body.code : `http_${response.status}`,
    message: typeof body?.message === 'string' ? body.message : `The server answered ${response.status}.`,
  };
}

export async function errorFrom(response: Response): Promise<AuthClientError> {
  const { code, message } = await refusalOf(response);
  return new AuthClientError(response.status, code, message);
}
