/**
 * What the official account's followers receive: a greeting the moment they first write, a
 * brand Q&A a minute later and the ¥8.9 offer after two minutes — all on the official-account
 * channel, so the server sends them (sopline only says what is due).
 */
import type { ContentInput, SoplineClient } from "@sopline/client";
import { graphql } from "@sopline/client";
import type { JourneyDefinition } from "@sopline/core";

/**
 * The follower journey.
 *
 * @example
 * await client.upsertJourney(followerJourney);
 */
export const followerJourney: JourneyDefinition = {
  id: "oa-follower",
  version: 1,
  name: "公众号新粉丝 new follower",
  timezone: "Asia/Shanghai",
  entry: "followed",
  stages: [
    {
      id: "followed",
      name: "新关注 followed",
      kind: "nurture",
      sop: [
        { id: "greet", after: "0m", channel: "official_account", content: "oa-greeting" },
        { id: "brand-qa", after: "1m", channel: "official_account", content: "brand-qa" },
        { id: "offer", after: "2m", channel: "official_account", content: "offer-8-9" },
      ],
    },
  ],
  transitions: [],
};

/**
 * The content the journey refers to.
 *
 * @example
 * for (const c of followerContent) await client.upsertContent(c);
 */
export const followerContent: ContentInput[] = [
  { ref: "oa-greeting", title: "关注欢迎语", type: "greeting", channel: "OFFICIAL_ACCOUNT", body: { text: "欢迎关注！回复「课程」了解 ¥8.9 体验课。" } },
  { ref: "brand-qa", title: "品牌问答", type: "qa", topic: "brand", channel: "OFFICIAL_ACCOUNT", body: { text: "我们是谁？十年只做一件事：教会你私域运营。" } },
  { ref: "offer-8-9", title: "¥8.9 体验课", type: "offer", cta: "立即报名", channel: "OFFICIAL_ACCOUNT", body: { text: "¥8.9 抢 7 天体验课，今晚截止。" } },
];

// Workspace settings and routing rules have no dedicated client method: the escape hatch takes them.
const CreateUnknownCustomers = graphql(`mutation CreateUnknownCustomers { updateWorkspaceSettings(unknownCustomers: CREATE) { unknownCustomers } }`);
const RouteFollowers = graphql(`
  mutation RouteFollowers($input: SegmentRuleInput!) { upsertSegmentRule(input: $input) { id } }
`);

/**
 * Loads the journey and its content, lets events create unknown followers, and routes followers
 * (attribute `source: official_account`) into the journey.
 *
 * @example
 * await prepareWorkspace(createClient({ url, token: apiKey }));
 */
export async function prepareWorkspace(client: SoplineClient): Promise<void> {
  for (const content of followerContent) await client.upsertContent(content);
  await client.upsertJourney(followerJourney);
  await client.request(CreateUnknownCustomers);
  await client.request(RouteFollowers, { input: { name: "公众号粉丝 → oa-follower", match: { source: "official_account" }, journeyKey: "oa-follower", priority: 0 } });
}
