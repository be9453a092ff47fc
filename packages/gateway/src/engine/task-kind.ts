import type { Channel } from "@sopline/core";

/** What a staff member has to do for a task-mode step on a channel. */
export function taskKind(channel: Channel): string {
  switch (channel) {
    case "call":
      return "call";
    case "private_chat":
      return "chat";
    case "group_chat":
    case "moments":
      return "mass_send";
    default:
      return channel;
  }
}
