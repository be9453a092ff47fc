import { describe, expect, it } from "vitest";
import { MalformedCallbackError } from "../../src/channels/wecom/callback-errors.js";
import { buildCallbackEventXml, callbackDedupeKey, parseCallbackEvent, type CallbackEvent } from "../../src/channels/wecom/callback-events.js";

// Shape of the add_external_contact example in the WeCom docs (path 92130).
const DOC_ADD = `<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[sys]]></FromUserName>
<CreateTime>1403610513</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[change_external_contact]]></Event>
<ChangeType><![CDATA[add_external_contact]]></ChangeType>
<UserID><![CDATA[zhangsan]]></UserID>
<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA]]></ExternalUserID>
<State><![CDATA[teststate]]></State>
<WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>
</xml>`;

const head = { toUserName: "wwcorp", fromUserName: "sys", createTime: 1_700_000_000 };

describe("parseCallbackEvent", () => {
  it("parses the documented add_external_contact event", () => {
    expect(parseCallbackEvent(DOC_ADD)).toEqual({
      toUserName: "toUser",
      fromUserName: "sys",
      createTime: 1403610513,
      type: "add_external_contact",
      userId: "zhangsan",
      externalUserId: "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA",
      state: "teststate",
      welcomeCode: "WELCOMECODE",
    });
  });

  it("omits State/WelcomeCode when absent (console welcome message configured)", () => {
    const xml = DOC_ADD.replace(/<State>.*<\/State>\n/, "").replace(/<WelcomeCode>.*<\/WelcomeCode>\n/, "");
    const ev = parseCallbackEvent(xml);
    expect(ev).not.toHaveProperty("welcomeCode");
    expect(ev).not.toHaveProperty("state");
  });

  it("keeps 19-digit MsgIds exact and parses text messages", () => {
    const xml =
      "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[mycreate]]></FromUserName><CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><MsgId>4561255354251345929</MsgId><AgentID>218</AgentID></xml>";
    expect(parseCallbackEvent(xml)).toEqual({
      toUserName: "wx5823bf96d3bd56c7",
      fromUserName: "mycreate",
      createTime: 1409659813,
      type: "message",
      msgType: "text",
      msgId: "4561255354251345929",
      agentId: "218",
      content: "hello",
    });
  });

  it("keeps unknown events with their fields", () => {
    const xml = "<xml><ToUserName>c</ToUserName><FromUserName>sys</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_external_chat</Event><ChatId>wrOgQh</ChatId><ChangeType>create</ChangeType></xml>";
    const ev = parseCallbackEvent(xml);
    expect(ev.type).toBe("other_event");
    expect(ev.type === "other_event" && ev.fields["ChatId"]).toBe("wrOgQh");
  });

  it("rejects events missing required fields", () => {
    expect(() => parseCallbackEvent(DOC_ADD.replace(/<ExternalUserID>.*<\/ExternalUserID>/, ""))).toThrow(MalformedCallbackError);
    expect(() => parseCallbackEvent(DOC_ADD.replace("1403610513", "soon"))).toThrow(/CreateTime/);
    expect(() => parseCallbackEvent("<root/>")).toThrow(MalformedCallbackError);
  });
});

describe("buildCallbackEventXml round trip", () => {
  const events: CallbackEvent[] = [
    { ...head, type: "add_external_contact", userId: "u1", externalUserId: "wm1", state: "src]]>weird", welcomeCode: "W1" },
    { ...head, type: "add_half_external_contact", userId: "u1", externalUserId: "wm1" },
    { ...head, type: "edit_external_contact", userId: "u1", externalUserId: "wm1" },
    { ...head, type: "del_external_contact", userId: "u1", externalUserId: "wm1", source: "DELETE_BY_TRANSFER" },
    { ...head, type: "del_follow_user", userId: "u1", externalUserId: "wm1" },
    { ...head, type: "transfer_fail", userId: "u1", externalUserId: "wm1", failReason: "customer_refused" },
    { ...head, fromUserName: "u1", type: "message", msgType: "text", msgId: "123", agentId: "1000002", content: "<b>&amp; 你好" },
  ];
  it.each(events)("$type survives build → parse", (ev) => {
    expect(parseCallbackEvent(buildCallbackEventXml(ev))).toEqual(ev);
  });

  it("writes strings as CDATA and CreateTime bare, like WeCom", () => {
    const xml = buildCallbackEventXml(events[0]!);
    expect(xml).toContain("<CreateTime>1700000000</CreateTime>");
    expect(xml).toContain("<ChangeType><![CDATA[add_external_contact]]></ChangeType>");
  });
});

describe("callbackDedupeKey", () => {
  it("distinguishes same-second adds of different customers by the same member", () => {
    const a = parseCallbackEvent(buildCallbackEventXml({ ...head, type: "add_external_contact", userId: "u1", externalUserId: "wmA" }));
    const b = parseCallbackEvent(buildCallbackEventXml({ ...head, type: "add_external_contact", userId: "u1", externalUserId: "wmB" }));
    expect(callbackDedupeKey(a)).not.toBe(callbackDedupeKey(b));
  });

  it("is stable for a retried delivery of the same event", () => {
    const ev: CallbackEvent = { ...head, type: "add_external_contact", userId: "u1", externalUserId: "wmA", welcomeCode: "W" };
    expect(callbackDedupeKey(parseCallbackEvent(buildCallbackEventXml(ev)))).toBe(callbackDedupeKey(ev));
    expect(callbackDedupeKey(ev)).toContain("wmA");
  });

  it("separates change types and corps", () => {
    const add: CallbackEvent = { ...head, type: "add_external_contact", userId: "u1", externalUserId: "wmA" };
    const del: CallbackEvent = { ...head, type: "del_follow_user", userId: "u1", externalUserId: "wmA" };
    expect(callbackDedupeKey(add)).not.toBe(callbackDedupeKey(del));
    expect(callbackDedupeKey(add)).not.toBe(callbackDedupeKey({ ...add, toUserName: "other" }));
  });

  it("keys messages on MsgId", () => {
    const m1: CallbackEvent = { ...head, type: "message", msgType: "text", msgId: "1", content: "a" };
    const m2: CallbackEvent = { ...m1, msgId: "2" };
    expect(callbackDedupeKey(m1)).not.toBe(callbackDedupeKey(m2));
  });
});
