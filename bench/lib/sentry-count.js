'use strict';
// Counts the spans in a Sentry envelope (https://develop.sentry.dev/sdk/data-model/envelopes/),
// as lib/otlp-count.js does for OTLP and lib/datadog-count.js for dd-trace's
// payloads. An envelope is a JSON header line, then items: each a JSON item
// header line and a payload, of the header's `length` in bytes or, without
// one, up to the next newline. Spans arrive in two kinds of item:
// - `transaction`: a JSON event that is itself the root span, with its
//   child spans in `spans`;
// - `span` (span streaming): a container of spans, `{"items": [...]}`, whose
//   item header gives their number as `item_count`.
// Other items (client reports, sessions, events) hold no spans.

/** The spans in an envelope body (uncompressed); `null` if it is not an envelope. */
function countSentrySpans(bytes) {
  try {
    return count(bytes);
  } catch {
    return null;
  }
}

function count(bytes) {
  let pos = lineEnd(bytes, 0) + 1;
  JSON.parse(bytes.toString('utf8', 0, pos - 1));
  let spans = 0;
  while (pos < bytes.length) {
    const headerEnd = lineEnd(bytes, pos);
    const line = bytes.toString('utf8', pos, headerEnd).trim();
    pos = headerEnd + 1;
    if (line === '') continue;
    const header = JSON.parse(line);
    const end = typeof header.length === 'number' ? pos + header.length : lineEnd(bytes, pos);
    if (end > bytes.length) throw new Error('truncated item');
    if (header.type === 'transaction') {
      const event = JSON.parse(bytes.toString('utf8', pos, end));
      spans += 1 + (Array.isArray(event.spans) ? event.spans.length : 0);
    } else if (header.type === 'span') {
      spans += typeof header.item_count === 'number' ? header.item_count : JSON.parse(bytes.toString('utf8', pos, end)).items.length;
    }
    pos = end + 1;
  }
  return spans;
}

function lineEnd(bytes, from) {
  const newline = bytes.indexOf(10, from);
  return newline === -1 ? bytes.length : newline;
}

module.exports = { countSentrySpans };
