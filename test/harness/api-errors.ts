import { ApiException } from '@kubernetes/client-node';

/** What the apiserver said when it refused a request: HTTP status and its Status message. */
export interface ApiRefusal {
  code: number;
  reason: string;
  message: string;
}

/**
 * Awaits a request that the apiserver must refuse and returns the refusal; fails the test
 * (by throwing) when the request succeeds or fails without an HTTP answer.
 */
export async function refusalOf(request: Promise<unknown>): Promise<ApiRefusal> {
  try {
    await request;
  } catch (error) {
    if (error instanceof ApiException) return toRefusal(error as ApiException<unknown>);
    throw error;
  }
  throw new Error('expected the apiserver to refuse the request, but it succeeded');
}

function toRefusal(error: ApiException<unknown>): ApiRefusal {
  const status = parseStatus(error.body);
  return {
    code: error.code,
    reason: status.reason ?? '',
    message: status.message ?? error.message,
  };
}

function parseStatus(body: unknown): { reason?: string; message?: string } {
  if (typeof body === 'string') {
    try {
      return parseStatus(JSON.parse(body));
    } catch {
      return { message: body };
    }
  }
  if (body && typeof body === 'object') return body as { reason?: string; message?: string };
  return {};
}
