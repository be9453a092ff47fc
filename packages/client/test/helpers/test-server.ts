/**
 * An in-process gateway stand-in: graphql-yoga over HTTP and graphql-ws on the same path, with a
 * tiny schema of our own (the real gateway schema is not ready). Listens on a random port.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
// createGraphQLError, not `new GraphQLError`: yoga masks errors from another copy of graphql-js.
import { createGraphQLError, createSchema, createYoga } from "graphql-yoga";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { createSignal, deferred, type Signal } from "./signal.js";

export interface Item {
  cursor: number;
  title: string;
}

export interface ReceivedEvent {
  id: string;
  type: string;
  occurredAt: string;
}

export interface TestServer {
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** ws://127.0.0.1:<port>/graphql */
  wsUrl: string;
  yoga: ReturnType<typeof createYoga>;
  /** Fires on every change below; wait with `changed.until(...)`. */
  changed: Signal;
  items: Item[];
  /** Creates an item and publishes it to current subscribers (those not connected miss it). */
  createItem(title: string): Item;
  /** Live `items` subscriptions registered on the server right now. */
  subscriberCount(): number;
  /** Events accepted by reportEvents, deduplicated by id, in arrival order. */
  events: ReceivedEvent[];
  /** Ids of every reportEvents call, duplicates included. */
  batches: string[][];
  /** Releases every pending `hang` query. */
  releaseHang(): void;
  stop(): Promise<void>;
}

const typeDefs = /* GraphQL */ `
  type Item {
    cursor: Int!
    title: String!
  }
  type ItemPage {
    items: [Item!]!
    hasMore: Boolean!
  }
  input EventInput {
    id: ID!
    type: String!
    occurredAt: String!
  }
  type Query {
    hello(name: String): String!
    me: String!
    secret: String
    hang: String
    itemsAfter(cursor: Int, limit: Int = 100): ItemPage!
  }
  type Mutation {
    createItem(title: String!): Item!
    reportEvents(events: [EventInput!]!): Int!
  }
  type Subscription {
    items: Item!
    whoami: String!
  }
`;

interface Context {
  authorization?: string;
}

export async function startTestServer(): Promise<TestServer> {
  const changed = createSignal();
  const items: Item[] = [];
  const subscribers = new Set<(item: Item) => void>();
  const events: ReceivedEvent[] = [];
  const batches: string[][] = [];
  let hang = deferred<string>();

  function createItem(title: string): Item {
    const item = { cursor: items.length + 1, title };
    items.push(item);
    for (const deliver of [...subscribers]) deliver(item);
    changed.notify();
    return item;
  }

  // A hand-rolled iterator (not an async generator): it registers the subscriber immediately and
  // unregisters on return() even while waiting, so subscriberCount() is exact.
  function itemStream(): AsyncIterableIterator<Item> {
    const queue: Item[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const listener = (item: Item) => {
      queue.push(item);
      wake?.();
    };
    subscribers.add(listener);
    changed.notify();
    const end = () => {
      if (done) return;
      done = true;
      subscribers.delete(listener);
      wake?.();
      changed.notify();
    };
    return {
      async next() {
        while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
        const value = queue.shift();
        return value ? { value, done: false } : { value: undefined, done: true };
      },
      async return() {
        end();
        return { value: undefined, done: true };
      },
      async throw(error: unknown) {
        end();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  const schema = createSchema({
    typeDefs,
    resolvers: {
      Query: {
        hello: (_: unknown, args: { name?: string | null }) => `hello ${args.name ?? "world"}`,
        me: (_: unknown, _args: unknown, ctx: Context) => {
          if (!ctx.authorization) {
            throw createGraphQLError("Sign in first", { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
          }
          return ctx.authorization.replace(/^Bearer /, "");
        },
        secret: () => {
          throw createGraphQLError("Staff only", { extensions: { code: "FORBIDDEN" } });
        },
        hang: () => hang.promise,
        itemsAfter: (_: unknown, args: { cursor?: number | null; limit: number }) => {
          const after = items.filter((i) => i.cursor > (args.cursor ?? 0));
          return { items: after.slice(0, args.limit), hasMore: after.length > args.limit };
        },
      },
      Mutation: {
        createItem: (_: unknown, args: { title: string }) => createItem(args.title),
        reportEvents: (_: unknown, args: { events: ReceivedEvent[] }) => {
          batches.push(args.events.map((e) => e.id));
          let accepted = 0;
          for (const e of args.events) {
            if (events.some((x) => x.id === e.id)) continue; // the gateway dedupes by id
            events.push({ id: e.id, type: e.type, occurredAt: e.occurredAt });
            accepted++;
          }
          changed.notify();
          return accepted;
        },
      },
      Subscription: {
        items: { subscribe: () => itemStream(), resolve: (item: Item) => item },
        whoami: {
          subscribe: async function* (_: unknown, _args: unknown, ctx: Context) {
            yield ctx.authorization ?? "anonymous";
          },
          resolve: (who: string) => who,
        },
      },
    },
  });

  const yoga = createYoga({
    schema,
    graphqlEndpoint: "/graphql",
    logging: false,
    // HTTP requests carry a Request; graphql-ws operations carry connectionParams instead.
    context: (initial) => {
      const { request, connectionParams } = initial as { request?: Request; connectionParams?: { authorization?: string } };
      const params = connectionParams;
      const authorization = request?.headers.get("authorization") ?? params?.authorization;
      return authorization ? { authorization } : {};
    },
  });

  const httpServer: Server = createServer(yoga);
  const wss = new WebSocketServer({ server: httpServer, path: "/graphql" });
  // The graphql-ws recipe from the Yoga docs: run WS operations through Yoga's envelop.
  const wsServer = useServer(
    {
      onConnect: (ctx) => (ctx.connectionParams as { authorization?: string } | undefined)?.authorization !== "Bearer bad",
      execute: (args) => (args.rootValue as { execute: (a: unknown) => never }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe: (a: unknown) => never }).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params });
        const args = {
          schema: enveloped.schema,
          operationName: params.operationName,
          document: enveloped.parse(params.query),
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        const errors = enveloped.validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wss,
  );

  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    yoga,
    changed,
    items,
    createItem,
    subscriberCount: () => subscribers.size,
    events,
    batches,
    releaseHang: () => {
      hang.resolve("released");
      hang = deferred<string>();
    },
    stop: async () => {
      hang.resolve("stopped");
      for (const client of wss.clients) client.terminate();
      await wsServer.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
