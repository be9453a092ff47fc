// The whole content library, page by page (the journeys editor and the coverage grid need every entry).
import type { SoplineClient } from "@sopline/client";
import { ContentsQuery } from "./queries.js";

export interface LibraryEntry {
  ref: string;
  title: string;
  type: string;
  topic: string | null;
  awareness: string | null;
  cta: string | null;
  channel: string | null;
  version: number;
  expiresAt: string | null;
  expired: boolean;
}

const MAX_PAGES = 50;

export async function loadLibrary(client: SoplineClient): Promise<LibraryEntry[]> {
  const all: LibraryEntry[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { contents }: { contents: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: LibraryEntry }> } } = await client.request(ContentsQuery, { after });
    all.push(...contents.edges.map((e) => e.node));
    if (!contents.pageInfo.hasNextPage) break;
    after = contents.pageInfo.endCursor;
  }
  return all;
}
