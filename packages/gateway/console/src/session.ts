// Who is signed in: the client and the viewer, shared by every page.
import type { SoplineClient, Viewer } from "@sopline/client";
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export interface Session {
  client: SoplineClient;
  viewer: Viewer;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in console");
  return session;
}
