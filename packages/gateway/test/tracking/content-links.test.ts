import { describe, expect, it } from "vitest";
import { isHttpUrl, linkIssues, rewriteLinks } from "../../src/tracking/content-links.js";

describe("links in content bodies", () => {
  const body = {
    text: "看看这个案例 https://example.com/case?id=1。还有白皮书：http://example.com/wp.pdf",
    attachments: [
      { msgtype: "link", link: { title: "Trial", url: "https://example.com/trial", picurl: "https://cdn.example.com/p.png" } },
      { msgtype: "miniprogram", miniprogram: { appid: "wx1", page: "pages/index" } },
    ],
    template: { template_id: "t1", url: "https://example.com/notice", data: {} },
  };

  it("finds text URLs and link fields in walk order and rewrites only them", () => {
    const { body: out, links } = rewriteLinks(body, (i) => `https://gw/t/${i}`);
    expect(links).toEqual(["https://example.com/case?id=1", "http://example.com/wp.pdf", "https://example.com/trial", "https://example.com/notice"]);
    expect(out).toEqual({
      text: "看看这个案例 https://gw/t/0。还有白皮书：https://gw/t/1",
      attachments: [
        { msgtype: "link", link: { title: "Trial", url: "https://gw/t/2", picurl: "https://cdn.example.com/p.png" } },
        { msgtype: "miniprogram", miniprogram: { appid: "wx1", page: "pages/index" } },
      ],
      template: { template_id: "t1", url: "https://gw/t/3", data: {} },
    });
    expect(rewriteLinks("plain https://a.example/x text", () => "L").body).toBe("plain L text");
    expect(rewriteLinks({ text: "no links" }, () => "L").links).toEqual([]);
  });

  it("names every non-http(s) link field", () => {
    expect(linkIssues(body)).toEqual([]);
    const issues = linkIssues({ attachments: [{ msgtype: "link", link: { url: "javascript:alert(1)" } }], template: { url: "/relative" }, chatMessages: [{ news: { link: "data:text/html,hi" } }] }, "input.body");
    expect(issues.map((i) => i.path)).toEqual(["input.body.attachments[0].link.url", "input.body.template.url", "input.body.chatMessages[0].news.link"]);
    expect(issues[0]!.message).toContain('"javascript:alert(1)" is not an http(s) link');
    expect(isHttpUrl("ftp://x.example")).toBe(false);
    expect(isHttpUrl("https://x.example/a")).toBe(true);
  });
});
