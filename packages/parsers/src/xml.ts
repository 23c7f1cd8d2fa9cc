/**
 * Our own XML scanner: a pull reader over a decoded string, built for speed and safety.
 *
 * Design (pull, not callbacks): `createXmlReader(text)` returns one reusable cursor object;
 * `next()` moves to the next event and returns its kind, and the cursor's fields describe it:
 *
 * | event       | fields and methods valid                                                    |
 * | ----------- | --------------------------------------------------------------------------- |
 * | `XML_OPEN`  | `name` (local name, no prefix), `qname`, `parent`, `depth` (root = 1), `selfClosing`, `attr(localName)`, `attributes()` |
 * | `XML_CLOSE` | `name`, `qname`, `parent`, `depth` (of the element closed), `text()` = the decoded text of a leaf element (`''` when it had child elements) |
 * | `XML_TEXT`  | only with `textEvents: true`: `text()` = one decoded text run or CDATA section |
 * | `XML_END`   | the document is complete and well-formed                                    |
 *
 * A self-closing `<a/>` gives `XML_OPEN` (selfClosing) and then `XML_CLOSE`. `skip()` at an
 * OPEN consumes that element's whole subtree. Text is sliced and decoded only when `text()` is
 * called, attributes are parsed only when `attr()`/`attributes()` is called: the scan itself is
 * `indexOf('<')` plus a few `charCodeAt` per tag.
 *
 * Safety: any `<!DOCTYPE` is refused (ParseError `unsupported-variant`), so no entity can be
 * declared or expanded; only the five basic entities and numeric character references are
 * decoded (anything else that looks like an entity is kept verbatim). Malformed markup
 * (mismatched or stray close tags, `<` inside a tag, a second root, text outside the root) is
 * `corrupt`, a document that ends early is `truncated`, both with the 1-based line. The scanner
 * is iterative (no recursion), every step moves forward, so work is bounded by the input size.
 * Attribute syntax is checked when an attribute is read.
 *
 * Bytes to text (`decodeXml`: UTF-8, UTF-16 by BOM, declared encodings), entity decoding, lazy
 * offset-to-line lookups (`lineAt`, `createLineIndex`) and the detection sniff (`xmlRootName`)
 * live in xml-text.ts and are re-exported here.
 */
import { ParseError } from './errors.js';
import type { ParseErrorCode, ParseErrorInit } from './errors.js';
import { decodeEntities, isOuterSpace, lineAt } from './xml-text.js';

export { createLineIndex, decodeEntities, decodeXml, lineAt, xmlRootName } from './xml-text.js';

export const XML_END = 0;
export const XML_OPEN = 1;
export const XML_CLOSE = 2;
export const XML_TEXT = 3;
export type XmlEvent = typeof XML_END | typeof XML_OPEN | typeof XML_CLOSE | typeof XML_TEXT;

export interface XmlReaderOptions {
  /** Format named in errors (`[tcx] line 12: ...`). */
  format?: ParseErrorInit['format'];
  /** File named in errors. */
  file?: string;
  /** Emit `XML_TEXT` for text runs and CDATA inside elements. Default false (leaf text comes with `XML_CLOSE`). */
  textEvents?: boolean;
  /** With `textEvents`, also emit runs that are only whitespace. Default false. */
  keepWhitespace?: boolean;
}

/** The cursor. Fields describe the current event and change on every `next()`. */
export interface XmlReader {
  readonly name: string;
  readonly qname: string;
  /** Local name of the enclosing element, `''` for the root. */
  readonly parent: string;
  readonly depth: number;
  readonly selfClosing: boolean;
  /** Character offset of the current event in the decoded text. */
  readonly offset: number;
  next(): XmlEvent;
  /** OPEN only: an attribute's decoded value by local name (prefix ignored, `xmlns` declarations skipped). */
  attr(localName: string): string | undefined;
  /** OPEN only: every attribute by qualified name. */
  attributes(): Record<string, string>;
  /** CLOSE: a leaf element's decoded text; TEXT: the run's decoded text. */
  text(): string;
  /** OPEN only: consume the element's subtree; the next `next()` continues after its close tag. */
  skip(): void;
  /** 1-based line of the current event. */
  line(): number;
  /** A ParseError at the current event's line, for the format parsers' own structural errors. */
  error(code: ParseErrorCode, message: string): ParseError;
}

type MutableReader = { -readonly [K in keyof XmlReader]: XmlReader[K] };

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || c > 127;
}

/** Creates a reader over decoded XML text (see the file comment for the event model). */
export function createXmlReader(src: string, options: XmlReaderOptions = {}): XmlReader {
  const n = src.length;
  const textEvents = options.textEvents === true;
  const keepWhitespace = options.keepWhitespace === true;
  const qnames: string[] = [];
  const locals: string[] = [];
  const opens: number[] = [];
  let depth = 0;
  let pos = 0;
  let rootSeen = false;
  let rootClosed = false;
  let pendingClose = false;
  // Leaf text: the element at `leafDepth` has had no child yet; its text starts at `pieceStart`,
  // with `pieces` holding what came before a comment, PI or CDATA inside it.
  let leafDepth = -1;
  let pieceStart = 0;
  let pieces: string[] | undefined;
  let textStart = 0;
  let textEnd = 0;
  let textPrefix = '';
  let attrStart = 0;
  let attrEnd = 0;

  const fail = (code: ParseErrorCode, message: string, at: number): ParseError =>
    new ParseError({ code, message, format: options.format, file: options.file, line: lineAt(src, at) });

  const openedAt = (d: number): string => `<${qnames[d] as string}> (opened at line ${lineAt(src, opens[d] as number)})`;

  const truncated = (where: string): ParseError =>
    fail('truncated', `the file ends ${where}${depth > 0 ? `${where ? ', ' : ''}inside ${openedAt(depth - 1)}` : ''}`, n);

  const r: MutableReader = {
    name: '',
    qname: '',
    parent: '',
    depth: 0,
    selfClosing: false,
    offset: 0,
    next,
    attr,
    attributes,
    text,
    skip,
    line: () => lineAt(src, r.offset),
    error: (code, message) => fail(code, message, r.offset),
  };

  function setLeafPiece(lt: number): void {
    if (leafDepth !== depth) return;
    pieces ??= [];
    pieces.push(decodeEntities(src.slice(pieceStart, lt)));
  }

  function emitClose(at: number, closeStart: number): XmlEvent {
    const d = depth - 1;
    if (leafDepth === depth) {
      textStart = pieceStart;
      textEnd = closeStart;
      textPrefix = pieces ? pieces.join('') : '';
    } else {
      textStart = textEnd = 0;
      textPrefix = '';
    }
    r.name = locals[d] as string;
    r.qname = qnames[d] as string;
    r.parent = d > 0 ? (locals[d - 1] as string) : '';
    r.depth = depth;
    r.selfClosing = false;
    r.offset = at;
    depth = d;
    leafDepth = -1;
    if (depth === 0) rootClosed = true;
    return XML_CLOSE;
  }

  function next(): XmlEvent {
    if (pendingClose) {
      pendingClose = false;
      return emitClose(r.offset, pos);
    }
    for (;;) {
      if (pos >= n) {
        if (depth > 0) throw truncated('');
        if (!rootSeen) throw fail('truncated', 'the file ends before its root element', n);
        return XML_END;
      }
      const lt = src.indexOf('<', pos);
      const end = lt < 0 ? n : lt;
      if (end > pos) {
        if (depth === 0) {
          for (let i = pos; i < end; i++) {
            if (!isOuterSpace(src.charCodeAt(i))) throw fail('corrupt', rootClosed ? 'text after the root element' : 'text before the root element', i);
          }
        } else if (textEvents && (keepWhitespace || !allSpace(pos, end))) {
          textStart = pos;
          textEnd = end;
          textPrefix = '';
          r.offset = pos;
          pos = end;
          return XML_TEXT;
        }
      }
      if (lt < 0) {
        pos = n;
        continue;
      }
      const c = src.charCodeAt(lt + 1);
      if (c === 47 /* / */) return closeTag(lt);
      if (c === 33 /* ! */) {
        const ev = bang(lt);
        if (ev !== XML_END) return ev;
        continue;
      }
      if (c === 63 /* ? */) {
        const close = src.indexOf('?>', lt + 2);
        if (close < 0) throw truncated('in the middle of a processing instruction');
        setLeafPiece(lt);
        pos = pieceStart = close + 2;
        continue;
      }
      return openTag(lt);
    }
  }

  function allSpace(from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (!isSpace(src.charCodeAt(i))) return false;
    return true;
  }

  /** `<!--`, `<![CDATA[`, `<!DOCTYPE`; returns XML_TEXT for CDATA with textEvents, else XML_END (= continue). */
  function bang(lt: number): XmlEvent {
    if (src.startsWith('<!--', lt)) {
      const close = src.indexOf('-->', lt + 4);
      if (close < 0) throw truncated('in the middle of a comment');
      setLeafPiece(lt);
      pos = pieceStart = close + 3;
      return XML_END;
    }
    if (src.startsWith('<![CDATA[', lt)) {
      if (depth === 0) throw fail('corrupt', 'CDATA outside the root element', lt);
      const close = src.indexOf(']]>', lt + 9);
      if (close < 0) throw truncated('in the middle of a CDATA section');
      const content = src.slice(lt + 9, close);
      if (leafDepth === depth) {
        setLeafPiece(lt);
        (pieces as string[]).push(content);
      }
      pos = pieceStart = close + 3;
      if (textEvents && content.length > 0) {
        textStart = textEnd = 0;
        textPrefix = content;
        r.offset = lt;
        return XML_TEXT;
      }
      return XML_END;
    }
    if (src.slice(lt, lt + 9).toUpperCase() === '<!DOCTYPE') throw fail('unsupported-variant', 'DOCTYPE/DTD is not allowed', lt);
    if (lt + 9 > n && '<!DOCTYPE'.startsWith(src.slice(lt).toUpperCase())) throw truncated('in the middle of markup');
    throw fail('corrupt', `unknown markup "${src.slice(lt, lt + 12)}"`, lt);
  }

  function openTag(lt: number): XmlEvent {
    if (lt + 1 >= n) throw truncated('in the middle of a tag');
    if (!isNameStart(src.charCodeAt(lt + 1))) throw fail('corrupt', `"<" is not followed by an element name`, lt);
    if (rootClosed) throw fail('corrupt', 'a second root element', lt);
    let i = lt + 2;
    let colon = src.charCodeAt(lt + 1) === 58 ? lt + 1 : -1;
    let c = 0;
    for (; i < n; i++) {
      c = src.charCodeAt(i);
      if (c === 58) colon = i;
      else if (c <= 32 || c === 62 || c === 47 || c === 60 || c === 61 || c === 34 || c === 39) break;
    }
    if (i >= n) throw truncated('in the middle of a tag');
    if (c === 60 || c === 61 || c === 34 || c === 39) throw fail('corrupt', `unexpected "${String.fromCharCode(c)}" in an element name`, i);
    const qname = src.slice(lt + 1, i);
    const local = colon < 0 ? qname : src.slice(colon + 1, i);
    let gt = i;
    let self = false;
    if (c === 47) {
      if (i + 1 >= n) throw truncated('in the middle of a tag');
      if (src.charCodeAt(i + 1) !== 62) throw fail('corrupt', `"/" inside <${qname}>`, i);
      gt = i + 1;
      self = true;
      attrStart = attrEnd = i;
    } else if (c !== 62) {
      let j = i;
      for (;;) {
        if (j >= n) throw truncated('in the middle of a tag');
        const ch = src.charCodeAt(j);
        if (ch === 62) break;
        if (ch === 34 || ch === 39) {
          const q = src.indexOf(ch === 34 ? '"' : "'", j + 1);
          if (q < 0) throw truncated('in the middle of an attribute value');
          j = q + 1;
          continue;
        }
        if (ch === 60) throw fail('corrupt', `"<" inside the tag <${qname}>`, j);
        j++;
      }
      gt = j;
      self = src.charCodeAt(j - 1) === 47;
      attrStart = i;
      attrEnd = self ? j - 1 : j;
    } else attrStart = attrEnd = i;
    qnames[depth] = qname;
    locals[depth] = local;
    opens[depth] = lt;
    r.parent = depth > 0 ? (locals[depth - 1] as string) : '';
    depth++;
    rootSeen = true;
    r.name = local;
    r.qname = qname;
    r.depth = depth;
    r.selfClosing = self;
    r.offset = lt;
    pos = gt + 1;
    leafDepth = depth;
    pieceStart = pos;
    pieces = undefined;
    pendingClose = self;
    return XML_OPEN;
  }

  function closeTag(lt: number): XmlEvent {
    const s = lt + 2;
    if (depth === 0) {
      const gt = src.indexOf('>', s);
      throw fail('corrupt', `</${src.slice(s, gt < 0 ? s + 40 : gt).trim()}> closes no open element`, lt);
    }
    const top = qnames[depth - 1] as string;
    let k = s + top.length;
    if (src.startsWith(top, s)) {
      while (k < n && isSpace(src.charCodeAt(k))) k++;
      if (k < n && src.charCodeAt(k) === 62) {
        pos = k + 1;
        return emitClose(lt, lt);
      }
    }
    const gt = src.indexOf('>', s);
    if (gt < 0) throw truncated('in the middle of a close tag');
    throw fail('corrupt', `</${src.slice(s, gt).trim()}> does not close ${openedAt(depth - 1)}`, lt);
  }

  // The attribute last parsed by attrAt: name [aName, aNameEnd), value [aFrom, aTo).
  let aName = 0;
  let aNameEnd = 0;
  let aFrom = 0;
  let aTo = 0;

  /** Parses the attribute at or after `i` in the current tag; the index after it, or -1 when none is left. */
  function attrAt(start: number): number {
    let i = start;
    while (i < attrEnd && isSpace(src.charCodeAt(i))) i++;
    if (i >= attrEnd) return -1;
    aName = i;
    while (i < attrEnd) {
      const c = src.charCodeAt(i);
      if (c === 61 || isSpace(c)) break;
      i++;
    }
    aNameEnd = i;
    while (i < attrEnd && isSpace(src.charCodeAt(i))) i++;
    if (aNameEnd === aName || src.charCodeAt(i) !== 61) throw fail('corrupt', `malformed attribute in <${r.qname}>`, aName);
    i++;
    while (i < attrEnd && isSpace(src.charCodeAt(i))) i++;
    const quote = src.charCodeAt(i);
    if (quote !== 34 && quote !== 39) throw fail('corrupt', `attribute value without quotes in <${r.qname}>`, i);
    const close = src.indexOf(quote === 34 ? '"' : "'", i + 1);
    if (close < 0 || close >= attrEnd) throw fail('corrupt', `unterminated attribute value in <${r.qname}>`, i);
    aFrom = i + 1;
    aTo = close;
    return close + 1;
  }

  function attrValue(): string {
    const v = decodeEntities(src.slice(aFrom, aTo));
    return v.indexOf('\n') >= 0 || v.indexOf('\t') >= 0 ? v.replace(/[\t\n]/g, ' ') : v;
  }

  function attr(localName: string): string | undefined {
    const len = localName.length;
    for (let i = attrAt(attrStart); i >= 0; i = attrAt(i)) {
      const at = aNameEnd - len;
      if (at < aName || !src.startsWith(localName, at)) continue;
      if (at !== aName) {
        if (src.charCodeAt(at - 1) !== 58) continue;
        if (at === aName + 6 && src.startsWith('xmlns:', aName)) continue; // a namespace declaration
      }
      return attrValue();
    }
    return undefined;
  }

  function attributes(): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = attrAt(attrStart); i >= 0; i = attrAt(i)) out[src.slice(aName, aNameEnd)] = attrValue();
    return out;
  }

  function text(): string {
    const raw = textEnd > textStart ? decodeEntities(src.slice(textStart, textEnd)) : '';
    return textPrefix.length > 0 ? textPrefix + raw : raw;
  }

  function skip(): void {
    const d = r.depth;
    for (let ev = next(); ev !== XML_END; ev = next()) if (ev === XML_CLOSE && r.depth === d) return;
  }

  return r;
}
