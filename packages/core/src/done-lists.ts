import { NONE, append } from "./state.js";

// Enough for every order in which the steps of real journeys get done; past it, lists are copied.
const MAX_LISTS = 10_000;

/**
 * Shares `done` lists between states. The customers of a stage mostly get its steps done in the
 * same order, so a few lists can serve a million states: a firing tick then points the next state
 * at an existing list instead of a fresh copy, which was most of what a tick left to the garbage
 * collector. Shared lists are frozen (drafts never change a list in place anyway). Only lists made
 * here are extended through the table; any other list (a state read back from JSON) is copied.
 */
export class DoneLists {
  /** Each shared list → the shared lists one step longer, by step id. */
  private readonly children = new Map<readonly string[], Map<string, readonly string[]>>([[NONE, new Map()]]);

  /** `list` with `id` appended. */
  append(list: readonly string[], id: string): readonly string[] {
    const next = this.children.get(list);
    if (next === undefined) return append(list, id);
    let out = next.get(id);
    if (out === undefined) {
      if (this.children.size >= MAX_LISTS) return append(list, id);
      out = Object.freeze(append(list, id));
      next.set(id, out);
      this.children.set(out, new Map());
    }
    return out;
  }
}
