/**
 * The staff task-feed page of a mini-program (pages/tasks/index.js), written against
 * @sopline/client/wx: load my open tasks, receive new ones live, catch up after the app comes
 * back to the foreground or the socket drops, complete a task with one tap.
 *
 * In the mini-program: `Page(taskFeedPage({ client: () => createWxClient({ url, token: () => getApp().globalData.staffToken }) }))`.
 */
import { maxSeq, type ResumableFeed, type SoplineClient, type Task, type TaskFeedItem } from "@sopline/client/wx";
import type { PageOptions } from "./page-runtime.js";

/** One row of the list. */
export interface TaskRow {
  id: string;
  seq: string;
  title: string;
  kind: string;
  dueAt: string;
  customerId: string;
  /** The customer's name when the list was loaded (live items carry only the id). */
  customer: string | null;
}

/** The page's `data`. */
export interface TaskPageData {
  tasks: TaskRow[];
  loading: boolean;
  /** Tasks completed from this page. */
  done: number;
  error: string | null;
}

/** What the page needs from its app. */
export interface TaskPageDeps {
  /** Builds the client (called in onLoad). */
  client(): SoplineClient;
}

interface Methods {
  onLoad(query?: Record<string, string>): Promise<void>;
  onShow(): void;
  onUnload(): void;
  /** Applies one task-feed item to the list (create, update or removal). */
  applyFeedItem(item: TaskFeedItem): void;
  /** `bindtap="completeTask" data-id="{{item.id}}"` */
  completeTask(event: { currentTarget: { dataset: { id: string } } }): Promise<void>;
}

/**
 * The page definition (a plain object: hand it to `Page()`, or to `mountPage()` on Node).
 *
 * @example
 * Page(taskFeedPage({ client: () => createWxClient({ url: "https://api.example.com/graphql", token: () => getApp().globalData.staffToken }) }));
 */
export function taskFeedPage(deps: TaskPageDeps): PageOptions<TaskPageData, Methods> {
  let client: SoplineClient | undefined;
  let feed: ResumableFeed | undefined;
  return {
    data: { tasks: [], loading: true, done: 0, error: null },

    async onLoad() {
      client = deps.client();
      try {
        const { tasks } = await client.tasks({ status: "OPEN", first: 100 });
        this.setData({ tasks: sorted(tasks.map(toRow)), loading: false });
        // From the highest seq just loaded: anything created since arrives once, live or by catch-up.
        feed = client.taskFeed({ next: (item) => this.applyFeedItem(item), error: (e) => this.setData({ error: e.message }) }, { initialCursor: maxSeq(tasks) });
      } catch (error) {
        this.setData({ loading: false, error: (error as Error).message });
      }
    },

    // Back from the background: the socket may have been frozen; ask for what was missed.
    onShow() {
      void feed?.resync();
    },

    onUnload() {
      feed?.unsubscribe();
      void client?.dispose();
    },

    applyFeedItem({ change, task }) {
      const others = this.data.tasks.filter((t) => t.id !== task.id);
      const open = change !== "REMOVED" && task.status === "OPEN";
      const known = this.data.tasks.find((t) => t.id === task.id);
      this.setData({ tasks: open ? sorted([...others, { ...toRow(task), customer: known?.customer ?? null }]) : others });
    },

    async completeTask(event) {
      const id = event.currentTarget.dataset.id;
      const before = this.data.tasks;
      this.setData({ tasks: before.filter((t) => t.id !== id) }); // optimistic: the tap feels instant
      try {
        await client!.completeTask(id);
        this.setData({ done: this.data.done + 1 });
      } catch (error) {
        this.setData({ tasks: before, error: (error as Error).message });
      }
    },
  };
}

function toRow(task: Pick<Task, "id" | "seq" | "title" | "kind" | "dueAt" | "customerId"> & { customer?: Task["customer"] }): TaskRow {
  return { id: task.id, seq: task.seq, title: task.title, kind: task.kind, dueAt: task.dueAt, customerId: task.customerId, customer: task.customer?.name ?? task.customer?.externalId ?? null };
}

const sorted = (rows: TaskRow[]) => rows.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.seq.localeCompare(b.seq, "en", { numeric: true })));
