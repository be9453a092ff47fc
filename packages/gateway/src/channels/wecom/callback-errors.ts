/**
 * Typed rejections of an incoming WeCom callback. The HTTP handler maps them to responses:
 * BadSignature / WrongCorpId / Malformed → 4xx and drop; Replayed → 200 (already accepted once,
 * answering an error would only make WeCom retry).
 */

/** Discriminant shared by all callback errors. */
export type CallbackErrorKind = "BadSignature" | "WrongCorpId" | "Malformed" | "Replayed";

/** Base class; switch on `kind`. */
export class CallbackError extends Error {
  constructor(
    readonly kind: CallbackErrorKind,
    message: string,
  ) {
    super(message);
    this.name = `${kind}Error`;
  }
}

/** msg_signature does not match sha1(sort(token, timestamp, nonce, msg_encrypt)). */
export class BadSignatureError extends CallbackError {
  constructor(message = "msg_signature does not match") {
    super("BadSignature", message);
  }
}

/** The decrypted ReceiveId is not our corp id: a message meant for another corp. */
export class WrongCorpIdError extends CallbackError {
  constructor(
    readonly receiveId: string,
    readonly expected: string,
  ) {
    super("WrongCorpId", `receive id ${JSON.stringify(receiveId)} is not corp ${JSON.stringify(expected)}`);
  }
}

/** Missing parameters, bad base64, bad padding, bad length field, unparsable XML. */
export class MalformedCallbackError extends CallbackError {
  constructor(message: string) {
    super("Malformed", message);
  }
}

/** Same signature+nonce seen inside the window, or a timestamp too far from now. */
export class ReplayedCallbackError extends CallbackError {
  constructor(message: string) {
    super("Replayed", message);
  }
}
