/**
 * A small non-validating XML reader for API answers: elements, attributes, text and CDATA;
 * comments and processing instructions skipped; namespaces dropped (local names only). No DTD:
 * a DOCTYPE is refused, and only the five basic entities and numeric references are known.
 * Well-formedness is checked (matching end tags, one root, quoted attributes) so that a cut-off
 * or garbled answer is told apart from a real one.
 */

export interface XmlElement {
  /** Local name (prefix dropped). */
  name: string;
  /** Attributes by local name; `xmlns` declarations left out. */
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
  /** The element's own text (CDATA included), entities decoded, not trimmed. */
  text: string;
}

export type XmlReadFailure = 'empty' | 'doctype' | 'truncated' | 'malformed';

export type XmlReadResult = { ok: true; root: XmlElement } | { ok: false; failure: XmlReadFailure; detail: string };

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Thrown inside the reader only, and always caught by `readXml`. */
interface Stop {
  stop: true;
  failure: XmlReadFailure;
  detail: string;
}

const stopWith = (failure: XmlReadFailure, detail: string): Stop => ({ stop: true, failure, detail });
const isStop = (value: unknown): value is Stop => typeof value === 'object' && value !== null && (value as Stop).stop === true;

const localName = (qualified: string): string => {
  const colon = qualified.indexOf(':');
  return colon < 0 ? qualified : qualified.slice(colon + 1);
};

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

function decodeEntities(text: string, at: number): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&<]*)(;?)/g, (whole, ref: string, semi: string) => {
    if (semi !== ';') throw stopWith('malformed', `bare '&' near offset ${at}`);
    const named = NAMED[ref];
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
    if (!m) throw stopWith('malformed', `unknown entity ${whole} near offset ${at} (no DTD is read)`);
    const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2] as string, 10);
    if (!isXmlChar(code)) throw stopWith('malformed', `character reference ${whole} is not allowed in XML 1.0`);
    return String.fromCodePoint(code);
  });
}

const NAME = /[^\s/>=<"'!?]+/y;

function nameAt(text: string, at: number): string | undefined {
  NAME.lastIndex = at;
  const m = NAME.exec(text);
  return m ? m[0] : undefined;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) i++;
    else return i;
  }
}

/** Parses a whole document. Never throws: a failure says whether the text was empty, cut off or garbled. */
export function readXml(text: string): XmlReadResult {
  try {
    return { ok: true, root: parse(text) };
  } catch (error) {
    if (isStop(error)) return { ok: false, failure: error.failure, detail: error.detail };
    throw error;
  }
}

function parse(input: string): XmlElement {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') throw stopWith('empty', 'the body is empty');
  const stack: XmlElement[] = [];
  const qualifiedNames: string[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const n = text.length;

  const truncated = (what: string): Stop => stopWith('truncated', `the body ends inside ${what}`);

  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const chunk = text.slice(i, end);
      const parent = stack[stack.length - 1];
      if (parent) parent.text += decodeEntities(chunk, i);
      else if (chunk.trim() !== '') throw stopWith('malformed', `text outside the root element at offset ${i}`);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<?', i)) {
      const close = text.indexOf('?>', i + 2);
      if (close < 0) throw truncated('a processing instruction');
      i = close + 2;
    } else if (text.startsWith('<!--', i)) {
      const close = text.indexOf('-->', i + 4);
      if (close < 0) throw truncated('a comment');
      i = close + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const close = text.indexOf(']]>', i + 9);
      if (close < 0) throw truncated('a CDATA section');
      const parent = stack[stack.length - 1];
      if (!parent) throw stopWith('malformed', `CDATA outside the root element at offset ${i}`);
      parent.text += text.slice(i + 9, close);
      i = close + 3;
    } else if (text.startsWith('<!', i)) {
      if (/^<!DOCTYPE/i.test(text.slice(i, i + 9))) throw stopWith('doctype', 'the body declares a DOCTYPE (no DTD is read)');
      throw stopWith('malformed', `unexpected '<!' at offset ${i}`);
    } else if (text.charCodeAt(i + 1) === 47 /* / */) {
      const close = text.indexOf('>', i + 2);
      if (close < 0) throw truncated('an end tag');
      const name = text.slice(i + 2, close).trim();
      const open = qualifiedNames.pop();
      if (open === undefined) throw stopWith('malformed', `end tag </${name}> without a start tag at offset ${i}`);
      if (open !== name) throw stopWith('malformed', `end tag </${name}> does not close <${open}> at offset ${i}`);
      stack.pop();
      i = close + 1;
    } else {
      i = readStartTag(text, i, stack, qualifiedNames, (element) => {
        if (root) throw stopWith('malformed', `a second root element <${element.name}> at offset ${lt}`);
        root = element;
      });
    }
  }
  if (stack.length > 0) throw truncated(`<${qualifiedNames[qualifiedNames.length - 1] ?? '?'}>`);
  if (!root) throw stopWith('malformed', 'no root element');
  return root;
}

function readStartTag(text: string, start: number, stack: XmlElement[], qualifiedNames: string[], onRoot: (element: XmlElement) => void): number {
  const qualified = nameAt(text, start + 1);
  if (qualified === undefined) {
    if (start + 1 >= text.length) throw stopWith('truncated', 'the body ends inside a start tag');
    throw stopWith('malformed', `'<' not followed by a name at offset ${start}`);
  }
  let i = start + 1 + qualified.length;
  let attributes: Record<string, string> | undefined;
  const n = text.length;
  for (;;) {
    i = skipSpace(text, i);
    if (i >= n) throw stopWith('truncated', `the body ends inside <${qualified}>`);
    const c = text.charAt(i);
    if (c === '>' || text.startsWith('/>', i)) break;
    const name = nameAt(text, i);
    if (name === undefined) throw stopWith('malformed', `bad attribute in <${qualified}> at offset ${i}`);
    i = skipSpace(text, i + name.length);
    if (i >= n) throw stopWith('truncated', `the body ends inside <${qualified}>`);
    if (text.charAt(i) !== '=') throw stopWith('malformed', `attribute ${name} of <${qualified}> has no value`);
    i = skipSpace(text, i + 1);
    const quote = text.charAt(i);
    if (i >= n) throw stopWith('truncated', `the body ends inside <${qualified}>`);
    if (quote !== '"' && quote !== "'") throw stopWith('malformed', `attribute ${name} of <${qualified}> is not quoted`);
    const close = text.indexOf(quote, i + 1);
    if (close < 0) throw stopWith('truncated', `the body ends inside <${qualified}>`);
    const raw = text.slice(i + 1, close);
    if (raw.includes('<')) throw stopWith('malformed', `'<' in attribute ${name} of <${qualified}>`);
    i = close + 1;
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    attributes ??= {};
    attributes[localName(name)] = decodeEntities(raw, i).replace(/[\t\n\r]/g, ' ');
  }
  const element: XmlElement = { name: localName(qualified), attributes: attributes ?? NO_ATTRIBUTES, children: [], text: '' };
  const parent = stack[stack.length - 1];
  if (parent) parent.children.push(element);
  else onRoot(element);
  if (text.startsWith('/>', i)) return i + 2;
  stack.push(element);
  qualifiedNames.push(qualified);
  return i + 1;
}

/** The first child with that local name. */
export function childOf(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) if (child.name === name) return child;
  return undefined;
}

/** Every child with that local name. */
export function childrenOf(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

/** Every descendant with that local name, in document order. */
export function descendantsOf(element: XmlElement, name: string, into: XmlElement[] = []): XmlElement[] {
  for (const child of element.children) {
    if (child.name === name) into.push(child);
    descendantsOf(child, name, into);
  }
  return into;
}

/** A child's trimmed text; undefined when the child is absent or empty (unknown). */
export function childText(element: XmlElement, name: string): string | undefined {
  const child = childOf(element, name);
  if (!child) return undefined;
  const text = child.text.trim();
  return text === '' ? undefined : text;
}
