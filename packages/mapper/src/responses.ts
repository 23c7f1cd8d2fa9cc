/**
 * An API answer as a discriminated union. The root may be `response` or `request` (Optimo's
 * text and sample disagree); `status="ok"` alone means success and anything else, a missing
 * status included, is a failure. Whatever is not an API answer at all (an HTML error page, an
 * empty body, cut-off or garbled XML, a DOCTYPE, another root) is `not-api`: the request's
 * outcome is unknown, which the uploader treats as transient.
 */
import type { XmlElement } from './xml-read.js';
import { childText, descendantsOf, readXml } from './xml-read.js';

export type NotApiReason = 'empty' | 'html' | 'doctype' | 'truncated' | 'malformed' | 'unexpected-root';

export interface ResponseInfo {
  /** HTTP status, kept in the result for context (the body decides). */
  status?: number;
  /** `Content-Type`; `text/html` turns an unreadable body into reason `html`. */
  contentType?: string;
}

export interface OkAnswer {
  kind: 'ok';
  /** The root element (`response` or `request`), namespaces dropped. */
  root: XmlElement;
  httpStatus?: number;
}

export interface FailAnswer {
  kind: 'fail';
  /** The `<code>` (40030, 40900, …); absent when the answer has none or it is not a number. */
  code?: number;
  /** Every `<error>` text, trimmed, in order; may be empty. */
  errors: string[];
  /** A duplicate's id (40900): `<workout_id>` or `<assessment_id>` of the answer. */
  existingId?: string;
  httpStatus?: number;
}

export interface NotApiAnswer {
  kind: 'not-api';
  reason: NotApiReason;
  /** What was seen, for logs (never the whole body). */
  detail: string;
  httpStatus?: number;
}

export type ApiResponse = OkAnswer | FailAnswer | NotApiAnswer;

const HTML_START = /^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html[\s>/]|head[\s>]|body[\s>])/i;

function decode(body: string | Uint8Array): string | undefined {
  if (typeof body === 'string') return body;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return undefined;
  }
}

function notApi(reason: NotApiReason, detail: string, info: ResponseInfo): NotApiAnswer {
  const answer: NotApiAnswer = { kind: 'not-api', reason, detail };
  if (info.status !== undefined) answer.httpStatus = info.status;
  return answer;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
}

/** Reads an answer body (string or bytes, UTF-8). Never throws for bad content. */
export function readResponse(body: string | Uint8Array, info: ResponseInfo = {}): ApiResponse {
  const text = decode(body);
  if (text === undefined) return notApi('malformed', 'the body is not valid UTF-8', info);
  if (text.replace(/^\uFEFF/, '').trim() === '') return notApi('empty', `the body is empty${info.status ? ` (HTTP ${info.status})` : ''}`, info);
  if (HTML_START.test(text)) return notApi('html', `an HTML page${info.status ? ` (HTTP ${info.status})` : ''}: ${snippet(text.replace(/<[^>]*>/g, ' '))}`, info);
  const parsed = readXml(text);
  if (!parsed.ok) {
    const isHtml = /\btext\/html\b/i.test(info.contentType ?? '');
    return notApi(isHtml ? 'html' : parsed.failure, isHtml ? `an HTML body (${parsed.detail})` : parsed.detail, info);
  }
  const root = parsed.root;
  if (root.name === 'html') return notApi('html', 'an XHTML page', info);
  if (root.name !== 'response' && root.name !== 'request') return notApi('unexpected-root', `the root element is <${root.name}>, not <response> or <request>`, info);
  const status = root.attributes.status;
  if (status !== undefined && status.trim() === 'ok') {
    const ok: OkAnswer = { kind: 'ok', root };
    if (info.status !== undefined) ok.httpStatus = info.status;
    return ok;
  }
  const fail: FailAnswer = { kind: 'fail', errors: descendantsOf(root, 'error').map((e) => e.text.trim()).filter((e) => e !== '') };
  const code = childText(root, 'code') ?? descendantsOf(root, 'code')[0]?.text.trim();
  if (code !== undefined && /^\d+$/.test(code)) fail.code = Number(code);
  const existingId = childText(root, 'workout_id') ?? childText(root, 'assessment_id');
  if (existingId !== undefined) fail.existingId = existingId;
  if (info.status !== undefined) fail.httpStatus = info.status;
  return fail;
}

