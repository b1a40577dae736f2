/**
 * The Corefile parser: every syntax form it accepts, read into exact blocks, and every error
 * with its exact `FILE:LINE: problem` text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCorefile } from '../../src/config/corefile.js';
import type { Directive, ServerBlock } from '../../src/config/directive.js';
import { ConfigError } from '../../src/errors.js';

/** A compact, exact picture of a directive: `name arg arg @line { ... }`. */
function show(d: Directive): string {
  const head = [
    d.name,
    ...d.args.map((a) => (a === '' || /\s/.test(a) ? JSON.stringify(a) : a)),
  ].join(' ');
  const block = d.block.length ? ` { ${d.block.map(show).join('; ')} }` : '';
  return `${head} @${d.line}${block}`;
}

function picture(blocks: readonly ServerBlock[]): string[] {
  return blocks.map((b) => `${b.keys.join(' ')} @${b.line}: ${b.directives.map(show).join(' | ')}`);
}

interface Row {
  readonly name: string;
  readonly text: string;
  readonly env?: Record<string, string>;
  readonly want: string[];
}

const ACCEPTED: Row[] = [
  { name: 'root block with port', text: '.:53 {\n  whoami\n}\n', want: ['.:53 @1: whoami @2'] },
  { name: 'root without port gets 53', text: '. {\n whoami\n}', want: ['.:53 @1: whoami @2'] },
  {
    name: 'bare port is the root zone',
    text: ':1053 {\n whoami\n}',
    want: ['.:1053 @1: whoami @2'],
  },
  {
    name: 'zone and port, upper case and trailing dot normalized',
    text: 'Cluster.LOCAL.:53 {\n  whoami\n}\nexample.org:5300 {\n  whoami\n}\n',
    want: ['cluster.local:53 @1: whoami @2', 'example.org:5300 @4: whoami @5'],
  },
  { name: 'dns:// scheme', text: 'dns://.:53 {\n whoami\n}', want: ['.:53 @1: whoami @2'] },
  {
    name: 'several keys separated by spaces',
    text: 'cluster.local in-addr.arpa:53 ip6.arpa {\n whoami\n}',
    want: ['cluster.local:53 in-addr.arpa:53 ip6.arpa:53 @1: whoami @2'],
  },
  {
    name: 'keys separated by commas, continued on the next line',
    text: 'a.test,b.test,\n  c.test {\n whoami\n}',
    want: ['a.test:53 b.test:53 c.test:53 @1: whoami @3'],
  },
  {
    name: 'reverse zone from a CIDR key',
    text: '10.0.0.0/8 172.16.0.0/16:53 {\n whoami\n}',
    want: ['10.in-addr.arpa:53 16.172.in-addr.arpa:53 @1: whoami @2'],
  },
  {
    name: 'arguments and a nested block',
    text: [
      '.:53 {',
      '    kubernetes cluster.local in-addr.arpa ip6.arpa {',
      '       pods insecure',
      '       fallthrough in-addr.arpa ip6.arpa',
      '    }',
      '    cache 30 {',
      '       success 9984 30',
      '       disable success cluster.local',
      '    }',
      '}',
    ].join('\n'),
    want: [
      '.:53 @1: kubernetes cluster.local in-addr.arpa ip6.arpa @2 { pods insecure @3; fallthrough in-addr.arpa ip6.arpa @4 }' +
        ' | cache 30 @6 { success 9984 30 @7; disable success cluster.local @8 }',
    ],
  },
  {
    name: 'brace opening on the next line, empty block written {}',
    text: '.:53\n{\n  health\n  {\n    lameduck 5s\n  }\n  ready {}\n}',
    want: ['.:53 @1: health @3 { lameduck 5s @5 } | ready @7'],
  },
  {
    name: 'a block on one line',
    text: 'example.org { whoami }\n',
    want: ['example.org:53 @1: whoami @1'],
  },
  {
    name: 'comments, anywhere outside quotes',
    text: '# header\n.:53 { # trailing\n  log # why\n  # alone\n  errors#glued\n}\n',
    want: ['.:53 @2: log @3 | errors @5'],
  },
  {
    name: 'quoted strings keep spaces, # and braces; \\" escapes a quote',
    text: '.:53 {\n  log . "{remote} - {>id} # \\"q\\"" {\n    class denial\n  }\n  errors "{"\n}',
    want: ['.:53 @1: log . "{remote} - {>id} # \\"q\\"" @2 { class denial @3 } | errors { @5'],
  },
  {
    name: 'a quoted string spanning lines counts its lines',
    text: '.:53 {\n  template "a\nb"\n  errors\n}',
    want: ['.:53 @1: template "a\\nb" @2 | errors @4'],
  },
  {
    name: '{$ENV} and {%ENV%} substitution, per token (spaces stay one argument)',
    text: '{$ZONE}:{$PORT} {\n  prometheus :{%MPORT%}\n  log {$SPACED}\n  errors {$UNSET}x\n}',
    env: { ZONE: 'Cluster.Local', PORT: '1053', MPORT: '9253', SPACED: 'a b' },
    want: ['cluster.local:1053 @1: prometheus :9253 @2 | log "a b" @3 | errors x @4'],
  },
  {
    name: 'a single block may leave out its braces',
    text: '.:53\nwhoami\nlog\n',
    want: ['.:53 @1: whoami @2 | log @3'],
  },
  {
    name: 'snippet and import, with arguments',
    text: '(common) {\n  errors\n  cache {args[0]}\n}\n.:53 {\n  import common 30\n  log\n}\nexample.org {\n  import common 5\n}',
    want: [
      '.:53 @5: errors @2 | cache 30 @3 | log @7',
      'example.org:53 @9: errors @2 | cache 5 @3',
    ],
  },
  {
    name: 'a snippet used inside a nested block',
    text: '(opts) {\n  pods insecure\n}\n.:53 {\n  kubernetes cluster.local {\n    import opts\n    ttl 30\n  }\n}',
    want: ['.:53 @4: kubernetes cluster.local @5 { pods insecure @2; ttl 30 @7 }'],
  },
  {
    name: 'a byte order mark and CRLF line ends',
    text: '\ufeff.:53 {\r\n  errors\r\n}\r\n',
    want: ['.:53 @1: errors @2'],
  },
  {
    name: 'same zone on different ports',
    text: '.:53 {\n whoami\n}\n.:1053 {\n whoami\n}',
    want: ['.:53 @1: whoami @2', '.:1053 @4: whoami @5'],
  },
];

describe('parseCorefile accepts', () => {
  for (const row of ACCEPTED) {
    it(row.name, () => {
      assert.deepEqual(picture(parseCorefile(row.text, 'Corefile', row.env)), row.want);
    });
  }

  it('records the file of each directive and block', () => {
    const [block] = parseCorefile('.:53 {\n  errors\n}', '/etc/coredns/Corefile');
    assert.equal(block.file, '/etc/coredns/Corefile');
    assert.equal(block.directives[0].file, '/etc/coredns/Corefile');
  });
});

const REJECTED: { name: string; text: string; message: string }[] = [
  { name: 'empty file', text: '', message: 'Corefile:1: empty Corefile: no server block' },
  {
    name: 'only comments',
    text: '# nothing\n\n',
    message: 'Corefile:1: empty Corefile: no server block',
  },
  {
    name: 'only a snippet',
    text: '(s) {\n  errors\n}\n',
    message: 'Corefile:1: empty Corefile: no server block',
  },
  {
    name: 'missing closing brace',
    text: '.:53 {\n  errors\n  cache 30 {\n    success 10\n}\n',
    message: "Corefile:1: missing '}': the block opened here is not closed",
  },
  {
    name: 'missing closing brace of a nested block at the end',
    text: '.:53 {\n  errors\n}\nexample.org {\n  cache 30 {\n',
    message: "Corefile:5: missing '}': the block opened here is not closed",
  },
  {
    name: 'unexpected closing brace at top level',
    text: '.:53 {\n  errors\n}\n}\n',
    message: "Corefile:4: unexpected '}': no block is open",
  },
  {
    name: 'opening brace without keys',
    text: '{\n  errors\n}\n',
    message: "Corefile:1: unexpected '{': a server block needs keys before it",
  },
  {
    name: 'brace where a directive name belongs',
    text: '.:53 {\n  {\n  }\n}\n',
    message: "Corefile:2: unexpected '{': expected a directive name",
  },
  {
    name: 'second block without braces',
    text: '.:53 {\n  errors\n}\nexample.org\n  errors\n',
    message: "Corefile:5: expected '{' after the server block keys",
  },
  {
    name: 'unterminated quote',
    text: '.:53 {\n  log . "{remote}\n}\n',
    message: 'Corefile:2: unterminated quoted string',
  },
  {
    name: 'unknown snippet',
    text: '.:53 {\n  import nosuch\n}\n',
    message: 'Corefile:2: import nosuch: no snippet of that name and no such file',
  },
  {
    name: 'import without a name',
    text: '.:53 {\n  import\n}\n',
    message: 'Corefile:2: import: expected a snippet name or file pattern',
  },
  {
    name: 'snippet importing itself through another',
    text: '(a) {\n  import b\n}\n(b) {\n  import a\n}\n.:53 {\n  import a\n}\n',
    message: 'Corefile:5: import cycle: (a) -> (b) -> (a)',
  },
  {
    name: 'snippet defined twice',
    text: '(a) {\n  errors\n}\n(a) {\n  log\n}\n.:53 {\n}\n',
    message: 'Corefile:4: snippet (a) is defined twice',
  },
  {
    name: 'snippet never closed',
    text: '(a) {\n  errors\n',
    message: "Corefile:1: missing '}' for snippet (a)",
  },
  {
    name: 'duplicate zone and port across blocks',
    text: '.:53 {\n  errors\n}\n\n. {\n  log\n}\n',
    message: 'Corefile:5: zone .:53 is already served by the block at Corefile:1',
  },
  {
    name: 'duplicate zone in one block, differently written',
    text: 'example.org Example.Org.:53 {\n}\n',
    message: 'Corefile:1: zone example.org:53 is already served by the block at Corefile:1',
  },
  {
    name: 'unsupported scheme',
    text: 'tls://.:853 {\n}\n',
    message:
      'Corefile:1: server block key "tls://.:853": scheme tls:// is not supported (only dns://)',
  },
  {
    name: 'bad port',
    text: '.:99999 {\n}\n',
    message: 'Corefile:1: server block key ".:99999": port "99999" is not a number in 0..65535',
  },
  {
    name: 'bad zone label',
    text: 'exa$mple.org {\n}\n',
    message:
      'Corefile:1: server block key "exa$mple.org": label "exa$mple" has characters not allowed in a zone',
  },
  {
    name: 'empty label',
    text: 'a..b {\n}\n',
    message: 'Corefile:1: server block key "a..b": empty label in zone name',
  },
  {
    name: 'CIDR not on an octet boundary',
    text: '10.0.0.0/12 {\n}\n',
    message: 'Corefile:1: server block key "10.0.0.0/12": IPv4 prefix must be 0, 8, 16, 24 or 32',
  },
];

/** Ten snippets, each importing the previous one ten times: 10^9 tokens if expanded. */
const IMPORT_BOMB = [
  '(s0) {\n  errors\n}',
  ...Array.from({ length: 9 }, (_, i) => `(s${i + 1}) {\n${`  import s${i}\n`.repeat(10)}}`),
  '.:53 {\n  import s9\n}',
].join('\n');

describe('parseCorefile rejects', () => {
  it('a Corefile whose imports expand beyond the token limit', () => {
    assert.throws(() => parseCorefile(IMPORT_BOMB, 'Corefile'), {
      code: 'CONFIG_SYNTAX',
      message: /^Corefile:2: the Corefile expands to more than 1000000 tokens through imports$/,
    });
  });

  for (const row of REJECTED) {
    it(row.name, () => {
      assert.throws(
        () => parseCorefile(row.text, 'Corefile', {}),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.equal(err.message, row.message);
          return true;
        },
      );
    });
  }

  it('uses the CONFIG_SYNTAX code for syntax errors and CONFIG_BAD_VALUE for bad keys', () => {
    assert.throws(() => parseCorefile('.:53 {', 'C'), { code: 'CONFIG_SYNTAX' });
    assert.throws(() => parseCorefile('.:x {\n}', 'C'), { code: 'CONFIG_BAD_VALUE' });
  });
});
