import { SaxesParser } from 'saxes';

/**
 * Reads a request body into a small element tree with saxes, a streaming XML parser that knows
 * nothing of our mapper. Refused (XmlReadError, answered 40010): bytes that are not UTF-8, an XML
 * declaration naming another encoding, any DOCTYPE (so no entity can ever be declared, internal or
 * external), entities other than the five XML ones (saxes expands only those, plus character
 * references), and anything not well-formed. Namespace prefixes are dropped: names are local names.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own character data (text and CDATA), not its descendants'. */
  text: string;
}

export class XmlReadError extends Error {
  override readonly name = 'XmlReadError';
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Decodes UTF-8 strictly; throws XmlReadError on invalid bytes. A leading BOM is dropped. */
export function decodeUtf8(body: Uint8Array): string {
  try {
    return decoder.decode(body);
  } catch (cause) {
    throw new XmlReadError('the request body is not valid UTF-8', { cause });
  }
}

/** Parses a whole document and returns its root element. */
export function readXml(body: Uint8Array): XmlElement {
  const text = decodeUtf8(body);
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  parser.on('error', (error) => {
    throw new XmlReadError(`malformed XML: ${error.message}`);
  });
  parser.on('doctype', () => {
    throw new XmlReadError('a DOCTYPE is not allowed');
  });
  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && decl.encoding.toLowerCase() !== 'utf-8') {
      throw new XmlReadError(`the XML declaration names encoding "${decl.encoding}"; requests are UTF-8`);
    }
  });
  parser.on('opentag', (tag) => {
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(tag.attributes)) attributes[localName(name)] = value;
    const element: XmlElement = { name: localName(tag.name), attributes, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent === undefined) root = element;
    else parent.children.push(element);
    stack.push(element);
  });
  const addText = (data: string): void => {
    const current = stack[stack.length - 1];
    if (current !== undefined) current.text += data;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    stack.pop();
  });

  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof XmlReadError) throw error;
    throw new XmlReadError(`malformed XML: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (root === undefined) throw new XmlReadError('the request body holds no XML element');
  return root;
}
