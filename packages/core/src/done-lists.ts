import type { CompiledStage } from "./compile.js";
import { NONE, append } from "./state.js";

// Enough for every order in which the steps of real journeys get done; past it, lists are copied.
const MAX_LISTS = 10_000;

interface Node {
  /** The shared lists one step longer, by step id. */
  next: Map<string, readonly string[]>;
  /** The list as a bit per step index of `stage` (see {@link DoneLists.bits}). */
  stage: CompiledStage | null;
  bits: number;
}

/**
 * Shares `done` lists between states. The customers of a stage mostly get its steps done in the
 * same order, so a few lists can serve a million states: a firing tick then points the next state
 * at an existing list instead of a fresh copy, which was most of what a tick left to the garbage
 * collector. Shared lists are frozen (drafts never change a list in place anyway). Only lists made
 * here are extended through the table; any other list (a state read back from JSON) is copied.
 */
export class DoneLists {
  private readonly nodes = new Map<readonly string[], Node>([[NONE, { next: new Map(), stage: null, bits: 0 }]]);

  /** `list` with `id` appended. */
  append(list: readonly string[], id: string): readonly string[] {
    const node = this.nodes.get(list);
    if (node === undefined) return append(list, id);
    let out = node.next.get(id);
    if (out === undefined) {
      if (this.nodes.size >= MAX_LISTS) return append(list, id);
      out = Object.freeze(append(list, id));
      node.next.set(id, out);
      this.nodes.set(out, { next: new Map(), stage: null, bits: 0 });
    }
    return out;
  }

  /** Bit i set: step i of `stage` (at most 31 steps) is in `list`; remembered for shared lists. */
  bits(list: readonly string[], stage: CompiledStage): number {
    const node = this.nodes.get(list);
    if (node !== undefined && node.stage === stage) return node.bits;
    let bits = 0;
    for (let k = 0; k < list.length; k++) {
      const i = stage.indexOf.get(list[k]!);
      if (i !== undefined) bits |= 1 << i;
    }
    if (node !== undefined) {
      node.stage = stage;
      node.bits = bits;
    }
    return bits;
  }
}
