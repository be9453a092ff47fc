/**
 * The flat `<xml><Field>value</Field>...</xml>` documents WeCom uses for callbacks, in both
 * directions. Values stay strings: MsgId (e.g. 4561255354251345929) exceeds 2^53.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { MalformedCallbackError } from "./callback-errors.js";

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false, // keep "0012" and 19-digit ids intact
  trimValues: true,
  processEntities: true,
});

/** Children of the root `<xml>` element; nested elements come back as objects/arrays. */
export type XmlFields = Record<string, unknown>;

/** Parses a WeCom XML document; throws MalformedCallbackError when it is not one. */
export function parseWeComXml(xml: string): XmlFields {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new MalformedCallbackError(`invalid XML: ${valid.err.msg}`);
  const doc: unknown = parser.parse(xml);
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
