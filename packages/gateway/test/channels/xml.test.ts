import { describe, expect, it } from "vitest";
import { MalformedCallbackError } from "../../src/channels/wecom/callback-errors.js";
import { parseWeComXml } from "../../src/channels/wecom/xml.js";
import { HOSTILE_XML } from "./hostile-xml.js";

describe("parseWeComXml", () => {
  it.each(Object.entries(HOSTILE_XML))("refuses %s as malformed, without expanding anything", (_name, xml) => {
    expect(() => parseWeComXml(xml)).toThrow(MalformedCallbackError);
  });

  it("still reads what WeCom sends: the XML declaration, nested events, the predefined entities, and CDATA that looks like markup", () => {
    const doc = `<?xml version="1.0" encoding="UTF-8"?>
<xml><ToUserName><![CDATA[ww1]]></ToUserName><Content><![CDATA[<!DOCTYPE x> <a><b>]]></Content><Note>a &amp; b &lt; c</Note>
<SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum></item></PicList></SendPicsInfo></xml>`;
    expect(parseWeComXml(doc)).toEqual({
      ToUserName: "ww1",
      Content: "<!DOCTYPE x> <a><b>",
      Note: "a & b < c",
      SendPicsInfo: { Count: "1", PicList: { item: { PicMd5Sum: "1b5f7c23b5bf75682a53e7b6d163e185" } } },
    });
  });
});
