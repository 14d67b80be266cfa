import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { parseMessage } from '../../src/message/index.js';
import { MIME_DEPTH_CAP, mimeTree, walkParts } from '../../src/message/mime.js';

const ENVELOPE = { from: 'a@example.org', to: 'b@example.net' };

/** Multiparts nested `depth` deep around one text part, alternating with message/rfc822 levels. */
function nested(depth: number): Buffer {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    if (i % 3 === 2) {
      open.push('Content-Type: message/rfc822\r\n\r\n');
      continue;
    }
    open.push(`Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`);
    close.push(`\r\n--b${i}--`);
  }
  return Buffer.from(
    `From: a@example.com\r\n${open.join('')}Content-Type: text/plain\r\n\r\ninnermost${close.reverse().join('')}\r\n`,
  );
}

describe('MIME nesting beyond any setting', () => {
  const limits = { maxMimeDepth: 1e9, maxMimeParts: 1e9 };

  it('parses a 20,000-deep message without recursion, splitting no deeper than the hard cap', () => {
    const root = mimeTree(parseMessage(nested(20_000)), { maxDepth: 1e9, maxParts: 1e9 });
    const parts = [...walkParts(root)];
    expect(parts).toHaveLength(MIME_DEPTH_CAP + 1);
    expect(parts.map((p) => p.depth)).toEqual(parts.map((_, i) => i));
    // The part at the cap is kept whole, unsplit.
    expect(parts[MIME_DEPTH_CAP]!.children).toEqual([]);
  });

  it('runs body, foreverypart, extracttext and :mime :anychild tests over it to a clear result', () => {
    const engine = new SieveEngine({ config: limits });
    const script = `require ["body", "mime", "foreverypart", "extracttext", "variables", "fileinto"];
      set "n" "";
      foreverypart { set "n" "\${n}."; if header :mime :type "content-type" "text" { extracttext :first 5 "t"; } }
      if body :content "text" :contains "innermost" { fileinto "found"; }
      if header :mime :anychild :subtype "content-type" "plain" { fileinto "plain"; }
      if string :is "\${n}" "${'.'.repeat(MIME_DEPTH_CAP + 1)}" { fileinto "every-part"; }`;
    const program = engine.compile(script).program!;
    const r = engine.run(program, nested(20_000), ENVELOPE);
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('ok');
    // The text part lies deeper than the cap, so nothing finds it; the loop saw every part made.
    expect(r.actions).toMatchObject([{ type: 'fileinto', mailbox: 'every-part' }]);
  });

  it('still reads the text part when it lies within the cap and the settings allow it', () => {
    const engine = new SieveEngine({ config: limits });
    const program = engine.compile(
      'require ["body", "fileinto"]; if body :content "text" :contains "innermost" { fileinto "found"; }',
    ).program!;
    const r = engine.run(program, nested(MIME_DEPTH_CAP - 10), ENVELOPE);
    expect(r.actions).toMatchObject([{ type: 'fileinto', mailbox: 'found' }]);
  });
});
