import { describe, expect, it } from "vitest";
import { keywordType, validateSubscribeData } from "../../src/channels/wechat/subscribe-fields.js";

const v = (key: string, value: string) => () => validateSubscribeData({ [key]: { value } });

describe("subscribe data rules", () => {
  it("derives the keyword type from the key", () => {
    expect(keywordType("thing12")).toBe("thing");
    expect(keywordType("character_string3")).toBe("character_string");
  });

  it("thing.*: 20 characters, counting emoji and Han as one", () => {
    expect(v("thing1", "字".repeat(20))).not.toThrow();
    expect(v("thing1", "😀".repeat(20))).not.toThrow();
    expect(v("thing1", "字".repeat(21))).toThrow(/data\.thing1\.value.*at most 20 characters, got 21/);
  });

  it("phrase.*: ≤ 5 Han characters only", () => {
    expect(v("phrase3", "货物配送中")).not.toThrow();
    expect(v("phrase3", "货物正在配送中")).toThrow(/at most 5/);
    expect(v("phrase3", "OK")).toThrow(/only Han/);
  });

  it("name.*: 10 when it has Han characters, 20 for Latin names", () => {
    expect(v("name1", "诸葛孔明")).not.toThrow();
    expect(v("name1", "Alexander Hamilton J")).not.toThrow();
    expect(v("name1", "Alexander Hamilton Jr")).toThrow(/at most 20/);
    expect(v("name1", "张Alexanders")).toThrow(/at most 10 characters when it contains Han/);
  });

  it("number, letter, symbol, character_string, amount, phone_number, car_number", () => {
    expect(v("number1", "12.50")).not.toThrow();
    expect(v("number1", "12a")).toThrow(/only digits/);
    expect(v("number1", "1".repeat(33))).toThrow(/at most 32/);
    expect(v("letter1", "abc")).not.toThrow();
    expect(v("letter1", "ab1")).toThrow(/only letters/);
    expect(v("symbol1", "%#")).not.toThrow();
    expect(v("symbol1", "%a")).toThrow(/only symbols/);
    expect(v("character_string1", "ORDER-2025_001")).not.toThrow();
    expect(v("character_string1", "订单1")).toThrow(/ASCII/);
    expect(v("amount1", "¥100.50")).not.toThrow();
    expect(v("amount1", "100元")).not.toThrow();
    expect(v("amount1", "¥12345678901")).toThrow(/amount/);
    expect(v("phone_number1", "+86-0766-66888866")).not.toThrow();
    expect(v("phone_number1", "+86-0766-668888661")).toThrow(/at most 17/);
    expect(v("car_number1", "粤A8Z888挂")).not.toThrow();
    expect(v("car_number1", "粤A8Z888挂1")).toThrow(/at most 8/);
  });

  it("free-form and unknown types only need a non-empty value", () => {
    expect(v("time4", "2019年10月1日 15:01~16:00")).not.toThrow();
    expect(v("enum_string2", "anything")).not.toThrow();
    expect(v("date1", "  ")).toThrow(/required/);
    expect(() => validateSubscribeData({})).toThrow(/data/);
  });

  it("errors carry field and limit", () => {
    try {
      v("thing7", "x".repeat(30))();
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: "invalid_request", field: "data.thing7.value", limit: 20, provider: "wechat", permanent: true });
    }
  });
});
