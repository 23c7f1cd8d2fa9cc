/** Builds response XML (optimo-api.md 2.1): `<response status="ok|fail">`, one `<code>` per failure. */

export type ApiErrorCode = 40010 | 40020 | 40030 | 40100 | 40300 | 40400 | 40900 | 41300 | 42900 | 50000;

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/** Escapes character data: `&`, `<`, `>` (and `"` for attribute values). */
export function escapeXml(text: string, attribute = false): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return attribute ? escaped.replace(/"/g, '&quot;') : escaped;
}

/** `<name>text</name>`, the text escaped. */
export function xmlElement(name: string, text: string | number): string {
  return `<${name}>${escapeXml(String(text))}</${name}>`;
}

/** `<name a="1" …>inner</name>`; `inner` is XML already. */
export function xmlContainer(name: string, inner: string, attributes: Record<string, string | number> = {}): string {
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value), true)}"`)
    .join('');
  return `<${name}${attrs}>${inner}</${name}>`;
}

export function okXml(inner: string): string {
  return `${XML_DECLARATION}<response status="ok">${inner}</response>\n`;
}

/** A failure: one `<error>` per problem, then the `<code>`, then `extra` (XML, e.g. `<workout_id>`). */
export function failXml(code: ApiErrorCode, errors: readonly string[], extra = ''): string {
  const messages = errors.map((message) => `\n  ${xmlElement('error', message)}`).join('');
  return `${XML_DECLARATION}<response status="fail">${messages}\n  ${xmlElement('code', code)}${extra}\n</response>\n`;
}
