/**
 * Just enough of the mini-program's `Page()` to drive page logic on Node: an instance whose
 * `data` changes only through `setData`, with the page's methods bound to it, and every
 * `setData` recorded (what WeChat would render).
 */

/** What page methods see as `this`. */
export interface PageInstance<D extends object> {
  data: D;
  /** Shallow merge, as WeChat does for top-level keys. */
  setData(patch: Partial<D>, callback?: () => void): void;
}

/** A page as `Page({...})` takes it: `data` plus lifecycle hooks and handlers. */
export type PageOptions<D extends object, M> = { data: D } & M & ThisType<PageInstance<D> & M>;

/** A mounted page: the instance, plus the renders it produced. */
export type MountedPage<D extends object, M> = PageInstance<D> & M & {
  /** Every `data` after a `setData`, oldest first. */
  renders: D[];
  /** Resolves once `predicate(data)` holds (checked now and after every render). */
  until(predicate: (data: D) => boolean, what: string, timeoutMs?: number): Promise<void>;
};

/**
 * Creates the page instance the way `Page(options)` would.
 *
 * @example
 * const page = mountPage(taskFeedPage({ client: () => client }));
 * await page.onLoad({});
 * page.data.tasks; // what the staff member sees
 */
export function mountPage<D extends object, M extends object>(options: PageOptions<D, M>): MountedPage<D, M> {
  const renders: D[] = [];
  const waiters = new Set<() => void>();
  const page = { renders } as unknown as MountedPage<D, M>;
  page.data = structuredClone(options.data);
  page.setData = (patch, callback) => {
    page.data = { ...page.data, ...patch };
    renders.push(page.data);
    callback?.();
    for (const check of [...waiters]) check();
  };
  page.until = (predicate, what, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      if (predicate(page.data)) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for the page to show ${what}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate(page.data)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
    });
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === "function") (page as Record<string, unknown>)[key] = value.bind(page);
  }
  return page;
}
