import { describe, expect, it } from "vitest";
import { channelOptionsFromEnv } from "../../src/server/channel-env.js";

describe("channel settings from the environment", () => {
  it("configures nothing by default, a corp and apps when fully set", () => {
    expect(channelOptionsFromEnv({})).toEqual({});
    expect(
      channelOptionsFromEnv({ WECOM_CORP_ID: "ww1", WECOM_SECRET: "s", WECOM_TOKEN: "t", WECOM_AES_KEY: "k", WECHAT_OA_APP_ID: "wxoa", WECHAT_OA_SECRET: "x" }),
    ).toEqual({ wecom: { corpId: "ww1", secret: "s", token: "t", encodingAesKey: "k" }, officialAccount: { appId: "wxoa", secret: "x" } });
  });

  it("an official account's message push from WECHAT_OA_TOKEN / WECHAT_OA_AES_KEY / WECHAT_OA_DEFAULT_JOURNEY", () => {
    expect(channelOptionsFromEnv({ WECHAT_OA_APP_ID: "wxoa", WECHAT_OA_SECRET: "x", WECHAT_OA_TOKEN: "t", WECHAT_OA_AES_KEY: "k", WECHAT_OA_DEFAULT_JOURNEY: "course" })).toEqual({
      officialAccount: { appId: "wxoa", secret: "x", token: "t", encodingAesKey: "k", defaultJourney: "course" },
    });
  });

  it("refuses a half-configured channel, naming what is missing", () => {
    expect(() => channelOptionsFromEnv({ WECOM_CORP_ID: "ww1", WECOM_SECRET: "s" })).toThrow(/set WECOM_TOKEN, WECOM_AES_KEY too/);
    expect(() => channelOptionsFromEnv({ WECHAT_MP_APP_ID: "wxmp" })).toThrow(/set both WECHAT_MP_APP_ID and WECHAT_MP_SECRET/);
  });
});
