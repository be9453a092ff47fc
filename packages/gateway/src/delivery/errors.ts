/**
 * How the delivery worker reads adapter failures: anything carrying `permanent: true` gives up at
 * once (its `code` becomes provider_error); everything else is transient and retried with backoff.
 * ChannelError (src/channels) already has this shape; DeliveryError is for other adapters.
 */

/** An adapter failure with an explicit retry class. */
export class DeliveryError extends Error {
  readonly code: string | number;
  readonly permanent: boolean;

  constructor(init: { code: string | number; permanent: boolean; message: string; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "DeliveryError";
    this.code = init.code;
    this.permanent = init.permanent;
  }
}

/** A failure as the worker records it. */
export interface ClassifiedFailure {
  permanent: boolean;
  /** provider_error, e.g. "84061", "43101", "not_a_friend", "http_404" */
  code: string;
  message: string;
}

/** Classifies any thrown value; unknown errors are transient (a bug or outage should not lose touches). */
export function classifyFailure(error: unknown): ClassifiedFailure {
  const e = error as { code?: unknown; permanent?: unknown; message?: unknown } | null;
  const message = typeof e?.message === "string" ? e.message : String(error);
  const code = e && (typeof e.code === "string" || typeof e.code === "number") ? String(e.code) : "error";
  return { permanent: e?.permanent === true, code, message: message.slice(0, 1_000) };
}
