/**
 * The flat `<xml><Field>value</Field>...</xml>` documents WeCom uses for callbacks, in both
 * directions. Values stay strings: MsgId (e.g. 4561255354251345929) exceeds 2^53.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { MalformedCallbackError } from "./callback-errors.js";

/** Longest document accepted: WeCom's callbacks are a few hundred bytes, their outer envelope a few KB. */
export const MAX_XML_CHARS = 64 * 1024;
/** Deepest element nesting accepted: WeCom's deepest (SendPicsInfo › PicList › item › PicMd5Sum) is 5. */
export const MAX_XML_DEPTH = 10;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false, // keep "0012" and 19-digit ids intact
  trimValues: true,
  processEntities: true, // the five predefined ones (&amp; …): declarations never get this far
  maxNestedTags: MAX_XML_DEPTH,
});

/** Children of the root `<xml>` element; nested elements come back as objects/arrays. */
export type XmlFields = Record<string, unknown>;

/**
 * Refuses, before any parser sees it, what WeCom never sends and attackers do: DOCTYPE and entity
 * declarations (entity expansion "billion laughs", external entities), comments and processing
 * instructions past the XML declaration, huge documents and deep nesting. One linear pass;
 * CDATA contents (customer text) are skipped, not inspected.
 */
function refuseHostileXml(xml: string): void {
  if (xml.length > MAX_XML_CHARS) throw new MalformedCallbackError(`XML of ${xml.length} characters: at most ${MAX_XML_CHARS} allowed`);
  let depth = 0;
  for (let i = xml.indexOf("<"); i !== -1; i = xml.indexOf("<", i + 1)) {
    if (xml.startsWith("<![CDATA[", i)) {
      const end = xml.indexOf("]]>", i);
      if (end === -1) return; // unterminated: the validator says so
      i = end;
    } else if (xml[i + 1] === "!") throw new MalformedCallbackError("DOCTYPE, entity declarations and comments are not allowed in a callback");
    else if (xml[i + 1] === "?") {
      if (i !== xml.search(/\S/) || !xml.startsWith("<?xml", i)) throw new MalformedCallbackError("processing instructions are not allowed in a callback");
    } else if (xml[i + 1] === "/") depth--;
    else {
      const end = xml.indexOf(">", i);
      if (end === -1) return;
      if (xml[end - 1] !== "/" && ++depth > MAX_XML_DEPTH) throw new MalformedCallbackError(`XML nested more than ${MAX_XML_DEPTH} elements deep`);
      i = end;
    }
  }
}

/** Parses a WeCom XML document; throws MalformedCallbackError when it is not one. */
export function parseWeComXml(xml: string): XmlFields {
  refuseHostileXml(xml);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new MalformedCallbackError(`invalid XML: ${valid.err.msg}`);
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (err) {
    // Whatever the parser refuses is a document WeCom did not send.
    throw new MalformedCallbackError(`invalid XML: ${(err as Error).message}`);
  }
  const root = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>)["xml"] : undefined;
  if (typeof root !== "object" || root === null || Array.isArray(root)) throw new MalformedCallbackError("missing <xml> root element");
  return root as XmlFields;
}

/** A string field, or undefined when absent/empty/not text. */
export function textField(fields: XmlFields, name: string): string | undefined {
  const v = fields[name];
  if (typeof v === "string") return v === "" ? undefined : v;
  if (typeof v === "number") return String(v);
  return undefined;
}

const TAG = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Serialises fields the way WeCom does: strings in CDATA, numbers bare. Undefined fields are skipped. */
export function buildWeComXml(fields: Record<string, string | number | undefined>): string {
  let out = "<xml>";
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (!TAG.test(name)) throw new Error(`invalid XML tag name ${JSON.stringify(name)}`);
    out +=
      typeof value === "number"
        ? `<${name}>${value}</${name}>`
        : // "]]>" cannot appear inside CDATA: split it across two sections.
          `<${name}><![CDATA[${value.replaceAll("]]>", "]]]]><![CDATA[>")}]]></${name}>`;
  }
  return `${out}</xml>`;
}
