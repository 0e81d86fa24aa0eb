import test from 'ava';
import { escapeHtml, inlineScript, inlineStyle, scriptJson } from '../../../analytics/report/html-escape.js';

test('escapeHtml: markup and quotes become entities', (t) => {
  t.is(escapeHtml(`<b a="1" b='2'>&amp;</b>`), '&lt;b a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;amp;&lt;/b&gt;');
  t.is(escapeHtml('plain text, 1 < 2'), 'plain text, 1 &lt; 2');
});

test('scriptJson cannot end its <script> element or open a comment, and reads back the same', (t) => {
  const value = { model: '</script><script>alert(1)</script>', note: '<!-- x --> & \u2028\u2029', n: [1.5, -2] };
  const json = scriptJson(value);
  t.false(json.includes('<'));
  t.false(json.includes('>'));
  t.false(json.includes('&'));
  t.false(json.includes('\u2028'));
  t.deepEqual(JSON.parse(json), value);
});

test('scriptJson: non-finite numbers become null; rounding to significant digits leaves integers alone', (t) => {
  t.is(scriptJson([Number.NaN, Number.POSITIVE_INFINITY, 1]), '[null,null,1]');
  t.is(scriptJson([3.14159265, 1234.56789, 42, 1e-9 * 1.23456789], 6), '[3.14159,1234.57,42,1.23457e-9]');
});

test('inline code cannot end its element', (t) => {
  t.is(inlineScript('var s = "</script>"; var t = "</SCRIPT>"; // <!--'), 'var s = "<\\/script>"; var t = "<\\/SCRIPT>"; // <\\!--');
  t.is(inlineStyle('a::after { content: "</style>" }'), 'a::after { content: "<\\/style>" }');
});
