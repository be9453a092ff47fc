// How the WeCom workers ask for tracked links without depending on src/tracking: the gateway
// passes its tracking's renderers in (absent when tracking is off: links go out as written).
import type { MessageInput } from "../tracking/tracked-messages.js";

/** The body with its links as tracked links naming the one-to-many message (a 群发 task, a Moments post). */
export type RenderMessage = (message: MessageInput, body: unknown) => Promise<unknown>;

/** The body with its links as tracked links of one delivery (the welcome message). */
export type RenderDeliveryBody = (
  delivery: { deliveryKey: string; workspaceId: string; customerId: string; journeyKey: string; stage: string; stepId: string; content: string | null },
  body: unknown,
) => Promise<unknown>;
