import { MetricsInputError } from "../../metrics/index.js";
import { gatewayError } from "../errors.js";

/** Runs a metrics read, turning the caller's mistakes into coded errors (LIMIT, BAD_USER_INPUT) naming the field. */
export async function metricsError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MetricsInputError) throw gatewayError(err.code, err.message, { field: err.field, ...(err.limit !== undefined ? { limit: err.limit } : {}) });
    throw err;
  }
}
