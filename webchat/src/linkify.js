// Splits bot text into plain text, https links and phone numbers, so the widget can
// build text nodes and <a> elements itself. Nothing here ever produces markup.

// One pass over the text: a URL (any scheme-looking http(s) run, so that http:// can be
// recognised and refused), or a UK phone number, or 999, or a 116 xxx helpline.
const TOKEN =
  /(https?:\/\/[^\s<>"'`]+)|((?:\+44\s?(?:\(0\)\s?)?|\b0)\d{2,4}(?:[ -]?\d{3,4}){1,2}\b|\b999\b|\b116 ?\d{3}\b)/g;

// Sentence punctuation that usually follows a link rather than belonging to it.
const TRAILING = /[.,;:!?)\]}]+$/;

// The bot writes phones as "Call 0808 2000 247 (tel:+448082000247)" so that any client gets the
// dialable form (RFC 3966's global form; directory/cards.py tel_uri). Here the number itself becomes the link, so the bracketed copy is dropped.
const TEL_COPY = /^ ?\(tel:(\+?\d+)\)/;

/** @returns {{type: "text" | "link" | "tel", text: string, href?: string}[]} */
export function segments(input) {
  const text = String(input ?? "");
  const out = [];
  let last = 0;
  const push = (segment) => {
    const previous = out[out.length - 1];
    if (segment.type === "text" && previous && previous.type === "text") {
      previous.text += segment.text;
    } else if (segment.text) {
      out.push(segment);
    }
  };

  const token = new RegExp(TOKEN.source, "g");
  for (let match = token.exec(text); match; match = token.exec(text)) {
    let raw = match[0];
    if (match[1]) raw = raw.replace(TRAILING, "");
    push({ type: "text", text: text.slice(last, match.index) });
    const href = match[1] ? safeHttpsHref(raw) : telHref(raw);
    push(href ? { type: match[1] ? "link" : "tel", text: raw, href } : { type: "text", text: raw });
    last = match.index + raw.length;
    const copy = href && !match[1] ? TEL_COPY.exec(text.slice(last)) : null;
    if (copy && `tel:${copy[1]}` === href) {
      last += copy[0].length;
      token.lastIndex = last; // resume after the copy, so its digits are not linked again
    }
  }
  push({ type: "text", text: text.slice(last) });
  return out;
}

// Only https, and no user:password@ part (it can disguise the real host).
export function safeHttpsHref(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.username || url.password) return null;
  return url.href;
}

// tel: in RFC 3966's global form (+44 and the digits, as the bot writes it), so it dials from
// anywhere; short codes as dialled. Rejects runs that are not a plausible UK number.
export function telHref(raw) {
  const international = raw.trim().startsWith("+");
  const digits = raw.replace(/\(0\)/, "").replace(/\D/g, "");
  if (/^(999|116\d{3})$/.test(digits)) return `tel:${digits}`;
  if (international) return /^44\d{9,10}$/.test(digits) ? `tel:+${digits}` : null;
  return /^0\d{9,10}$/.test(digits) ? `tel:+44${digits.slice(1)}` : null;
}
