// File names as bytes: valid UTF-8 is its usual string, any other byte a lone surrogate, and the
// mapping goes back to the same bytes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fsPath, nameFromBytes, nameToBytes, showName } from '../../src/util/names.js';

const hex = (b: Buffer) => b.toString('hex');

describe('file names as bytes', () => {
  test('valid UTF-8 is its usual string, U+FFFD and astral characters included', () => {
    for (const s of ['plain', 'ünïcødé-名前.txt', 'a\uFFFDb', '😀 emoji', '\u{10080}', 'nl\nname', '']) {
      const b = Buffer.from(s, 'utf8');
      assert.equal(nameFromBytes(b), s);
      assert.equal(hex(nameToBytes(s)), hex(b));
    }
  });

  test('each byte outside valid UTF-8 becomes U+DC00 + byte, and comes back', () => {
    const cases: [number[], string][] = [
      [[0x66, 0xe4, 0x2e], 'f\uDCE4.'], // ISO-8859-1 "ä"
      [[0xff, 0xfe], '\uDCFF\uDCFE'],
      [[0xc0, 0xaf], '\uDCC0\uDCAF'], // overlong "/"
      [[0xed, 0xa0, 0x80], '\uDCED\uDCA0\uDC80'], // an encoded surrogate
      [[0xf4, 0x90, 0x80, 0x80], '\uDCF4\uDC90\uDC80\uDC80'], // beyond U+10FFFF
      [[0xe4, 0xc3, 0xbc], '\uDCE4ü'], // a cut sequence, then a valid one
      [[0xf0, 0x90, 0x82, 0x80, 0x80], '\u{10080}\uDC80'], // a pair whose low half lies in the escape range, then an escape
      [[0xef, 0xbf, 0xbd, 0xe9], '\uFFFD\uDCE9'],
    ];
    for (const [bytes, s] of cases) {
      const b = Buffer.from(bytes);
      assert.equal(nameFromBytes(b), s, hex(b));
      assert.equal(hex(nameToBytes(s)), hex(b), hex(b));
    }
  });

  test('random byte strings round-trip, and distinct bytes give distinct names', () => {
    let x = 12345;
    const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const seen = new Map<string, string>();
    for (let i = 0; i < 5000; i++) {
      const b = Buffer.from(Array.from({ length: 1 + (rnd() % 12) }, rnd));
      const s = nameFromBytes(b);
      assert.equal(hex(nameToBytes(s)), hex(b));
      const other = seen.get(s);
      assert.ok(other === undefined || other === hex(b), `${hex(b)} and ${other} decode alike`);
      seen.set(s, hex(b));
    }
  });

  test('fsPath hands node:fs the string when it is UTF-8, the bytes otherwise; showName escapes for messages', () => {
    assert.equal(fsPath('/nix/store/x-ü'), '/nix/store/x-ü');
    assert.deepEqual(fsPath('/tmp/f\uDCE4'), Buffer.from('/tmp/f\xe4', 'latin1'));
    assert.equal(showName('/tmp/f\uDCE4 \u{10080}'), '/tmp/f\\xe4 \u{10080}');
  });
});
