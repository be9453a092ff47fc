// Issue 4, point 5a: the B2B month on a real gateway; the board must add up and agree with the
// simulated behaviour (and with the reps' own task lists).
import { describe, expect, it } from "vitest";
import { main } from "./main.js";

describe("examples/b2b-nurture", () => {
  it("enrolls 200 leads, runs a month hour by hour and prints a board consistent with the simulated behaviour", async () => {
    const printed: string[] = [];
    const { result, output } = await main({}, (text) => printed.push(text));
    const { board, expected, behaviour } = result;
    const journey = board.journeys.find((j) => j.key === "b2b-nurture")!;
    const stages = Object.fromEntries(journey.stages.map((s) => [s.id, s.customers]));

    // The counts add up: every lead is in exactly one stage.
    expect(behaviour.leads).toBe(200);
    expect(journey.customers).toBe(200);
    expect(Object.values(stages).reduce((a, b) => a + b, 0)).toBe(200);
    // They follow from the behaviour: the journey's transitions replayed over the same events.
    expect(stages).toEqual(expected);
    expect(stages.converted).toBe(behaviour.bought); // order.paid converts from any stage
    expect(stages.interested! + stages.converted!).toBeLessThanOrEqual(behaviour.attendedDemo + behaviour.bought);
    expect(stages.interested).toBeGreaterThan(0);
    expect(stages.quiet).toBeGreaterThan(0);

    // Today's opportunities on the board are the reps' own open tasks due today (snoozed ones on the day they wake).
    for (const rep of result.reps) {
      const row = board.staff.find((s) => s.staff.name === rep.staff)!;
      expect({ staff: rep.staff, chat: row.chat, call: row.call, overdueChat: row.overdueChat, overdueCall: row.overdueCall }).toEqual({
        staff: rep.staff,
        chat: rep.chatToday,
        call: rep.callToday,
        overdueChat: rep.overdueChat,
        overdueCall: rep.overdueCall,
      });
    }
    // The webinar the evening before: its attendees' sales calls are due today.
    expect(board.staff.reduce((n, s) => n + s.call, 0)).toBeGreaterThan(0);
    expect(result.scheduler.runs).toBe(30 * 24 + 6 + 1);
    expect(result.work.completed).toBeGreaterThan(0);

    expect(printed).toEqual([output]);
    expect(output).toContain(`${"total".padEnd(24)}${"200".padStart(10)}${"200".padStart(10)}`);
    expect(output).toMatch(/staff\s+chat today\s+call today\s+overdue chat\s+overdue call/);
  });
});
