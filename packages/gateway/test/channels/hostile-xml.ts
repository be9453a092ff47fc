// XML attacks on the WeCom callback endpoint (shared by the parser and the endpoint tests).
import { MAX_XML_CHARS } from "../../src/channels/wecom/xml.js";

const LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE xml [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<xml><ToUserName>&lol5;</ToUserName><Encrypt>abc</Encrypt></xml>`;
const EXTERNAL = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Encrypt>&xxe;</Encrypt></xml>`;

/** XML attacks on the WeCom callback parser: each is refused as malformed before any expansion. */
export const HOSTILE_XML: Record<string, string> = {
  "billion laughs": LAUGHS,
  "external entity": EXTERNAL,
  "bare DOCTYPE": `<!DOCTYPE xml><xml><Encrypt>abc</Encrypt></xml>`,
  "deep nesting": `<xml>${"<a>".repeat(5_000)}${"</a>".repeat(5_000)}</xml>`,
  huge: `<xml><Encrypt>${"A".repeat(MAX_XML_CHARS)}</Encrypt></xml>`,
  "processing instruction": `<xml><?php system("id"); ?><Encrypt>abc</Encrypt></xml>`,
};
