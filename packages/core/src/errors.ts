/** One problem found in a journey definition, with where it is. */
export interface DefinitionIssue {
  /** e.g. `stages[0].sop[1].after` */
  path: string;
  message: string;
}

/**
 * Thrown by `defineJourney` with every problem of a definition at once.
 * @example
 * try { defineJourney(def) } catch (e) { if (e instanceof JourneyDefinitionError) console.log(e.issues) }
 */
export class JourneyDefinitionError extends Error {
  override readonly name = "JourneyDefinitionError";
  constructor(
    readonly journeyId: string | undefined,
    readonly issues: DefinitionIssue[],
  ) {
    const label = journeyId ? `journey "${journeyId}"` : "journey";
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(`Invalid ${label} (${count}):\n${issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n")}`);
  }
}

/** Thrown when an input to advance/enroll/migrate is not valid for the journey (unknown stage, foreign state…). */
export class JourneyInputError extends TypeError {
  override readonly name = "JourneyInputError";
}

/** `["stages", 0, "sop", 1, "after"]` → `stages[0].sop[1].after`; `["where", "data.x"]` → `where["data.x"]` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    // A key that is not a plain name (a `where` field such as "data.seconds") is quoted: where["data.seconds"].gte
    else if (typeof key === "string" && !/^[A-Za-z_$][\w$]*$/.test(key)) out += `[${JSON.stringify(key)}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
