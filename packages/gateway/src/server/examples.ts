// Demo data for `sopline serve --load-examples`: the example journeys of the repository
// (examples/journeys), a small content library, three staff members and two segment rules.
// Idempotent: loading twice changes nothing.
import type { JourneyDefinition } from "@sopline/core";
import * as exampleJourneys from "../../../../examples/journeys/index.js";
import type { Database } from "../db/index.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import { type DeliveryCapabilities, upsertJourney } from "../graphql/services/journeys.js";
import { type ContentInputShape, upsertContent, upsertStaff } from "../graphql/services/library.js";

const DAY = 86_400_000;

type ExampleContent = Omit<ContentInputShape, "body" | "expiresAt"> & { text: string; expiresInDays?: number };

/** Most refs of the example journeys; a few are left out on purpose so journeyLint has something to show. */
const CONTENT: ExampleContent[] = [
  { ref: "greeting", title: "添加好友欢迎语", type: "greeting", channel: "private_chat", text: "您好，我是您的专属顾问，很高兴认识您！" },
  { ref: "whitepaper", title: "行业白皮书", type: "offer", topic: "function", awareness: "problem-aware", cta: "下载白皮书", text: "送您一份《私域运营白皮书》" },
  { ref: "case-1", title: "客户案例：制造业", type: "case", topic: "case", awareness: "solution-aware", text: "某制造企业三个月线索转化提升 40%" },
  { ref: "case-2", title: "客户案例：零售", type: "case", topic: "case", awareness: "product-aware", text: "某零售品牌复购率提升 25%" },
  { ref: "case-weekly", title: "每周案例", type: "case", topic: "case", text: "本周客户故事" },
  { ref: "article-1", title: "文章：为什么要做私域", type: "article", topic: "brand", awareness: "problem-aware", text: "私域运营的三个误区" },
  { ref: "trial-offer", title: "免费试用", type: "offer", cta: "申请试用", awareness: "product-aware", text: "14 天免费试用，随时取消" },
  { ref: "monthly-digest", title: "月度精选", type: "article", topic: "brand", text: "本月精选内容", expiresInDays: -1 },
  { ref: "call-script", title: "销售电话话术", type: "qa", text: "开场白、需求确认、预约演示" },
  { ref: "reactivation-offer", title: "回归礼包", type: "offer", cta: "领取礼包", text: "好久不见，送您一份回归礼包" },
  { ref: "thank-you", title: "成交感谢", type: "greeting", text: "感谢您的信任！" },
  { ref: "offer-8-9", title: "¥8.9 体验课", type: "offer", cta: "立即报名", channel: "official_account", text: "¥8.9 抢 7 天体验课" },
  { ref: "brand-qa", title: "品牌问答", type: "qa", topic: "brand", text: "我们是谁？老师是谁？" },
  { ref: "objection-price", title: "异议：价格", type: "objection", text: "一杯奶茶的价格，换 7 天系统学习" },
  { ref: "objection-time", title: "异议：没时间", type: "objection", text: "每天 15 分钟，随时回看" },
  { ref: "article-why", title: "文章：为什么要学", type: "article", text: "为什么现在就该开始" },
  { ref: "article-how", title: "文章：怎么学", type: "article", text: "7 天学习路线图" },
  { ref: "case-student-1", title: "学员案例 1", type: "case", text: "宝妈小王的 7 天" },
  { ref: "case-student-2", title: "学员案例 2", type: "case", text: "程序员小李的 7 天" },
  { ref: "daily-hello", title: "早安问候", type: "greeting", text: "早上好！今天也要加油" },
  { ref: "offer-last-call", title: "最后机会", type: "offer", cta: "立即报名", text: "体验课今晚截止" },
  { ref: "course-welcome", title: "开课欢迎", type: "greeting", channel: "mini_program", text: "欢迎加入！课程入口在这里" },
  { ref: "dealer-welcome", title: "4S 店欢迎语", type: "greeting", text: "您好，我是您的购车顾问" },
  { ref: "test-drive-invite", title: "试驾邀请", type: "offer", cta: "预约试驾", text: "本周末到店试驾送礼" },
  { ref: "care-monthly", title: "会员月度关怀", type: "greeting", text: "本月会员专属福利" },
  { ref: "article-monthly", title: "月度好文", type: "article", channel: "official_account", text: "本月学习干货" },
  { ref: "course-news", title: "课程动态", type: "article", channel: "official_account", text: "新课上线与学员故事" },
  { ref: "monthly-offer", title: "月度到店礼", type: "offer", cta: "预约到店", text: "本月到店试驾礼" },
  { ref: "activation-1", title: "唤醒消息", type: "offer", text: "好久不见，最近怎么样？" },
];

const STAFF = [
  { externalId: "alice", name: "Alice 王", team: "sales" },
  { externalId: "bob", name: "Bob 李", team: "sales" },
  { externalId: "carol", name: "Carol 张", team: "service" },
];

export interface LoadedExamples {
  journeys: Array<{ key: string; version: number; created: boolean }>;
  contents: number;
  staff: Array<{ id: string; externalId: string }>;
}

export async function loadExamples(db: Database, registry: JourneyRegistry, workspaceId: string, now: Date, delivery: DeliveryCapabilities = { wecom: true }): Promise<LoadedExamples> {
  const journeys: LoadedExamples["journeys"] = [];
  for (const content of CONTENT) {
    const { text, expiresInDays, ...rest } = content;
    await upsertContent(db, workspaceId, { ...rest, body: { text }, expiresAt: expiresInDays === undefined ? null : new Date(now.getTime() + expiresInDays * DAY) });
  }
  for (const definition of Object.values(exampleJourneys) as JourneyDefinition[]) {
    // checked as on a WeCom gateway by default: the examples use official WeCom paths only
    const { journey, created } = await upsertJourney(db, registry, { workspaceId, definition, now, delivery });
    journeys.push({ key: journey.key, version: journey.version, created });
  }
  const staff = [];
  for (const s of STAFF) staff.push(await upsertStaff(db, workspaceId, s));
  const rules = [
    { name: "B2B leads → sales (round-robin)", priority: 10, match: { source: { in: ["webinar", "whitepaper", "website"] } }, journeyKey: "b2b-nurture", team: "sales", staffId: null },
    { name: "Official-account followers → ¥8.9 course", priority: 20, match: { source: "official_account" }, journeyKey: "course-8-9", team: null, staffId: staff[2]!.id },
  ];
  for (const rule of rules) {
    const existing = await db.prisma.segmentRule.findFirst({ where: { workspaceId, name: rule.name } });
    if (!existing) await db.prisma.segmentRule.create({ data: { workspaceId, ...rule } });
  }
  return { journeys, contents: CONTENT.length, staff: staff.map((s) => ({ id: s.id, externalId: s.externalId })) };
}
