// The package arrows of ARCHITECTURE.md as lint rules: which @minimail packages each workspace may
// import (statically or with `await import(...)`). Arrows point down only; the protocol packages
// (smtp, pop3, imap, http, and any new one under packages/) never import each other.

/** Every packages/* workspace not named below: a server package, above protocol, store and mime. */
const SERVER_PACKAGE = ['protocol', 'store', 'mime'];
const SERVERS = ['smtp', 'pop3', 'imap', 'http', 'managesieve'];

/** Workspace folder -> the @minimail packages it may import (besides itself). */
export const ALLOWED_IMPORTS = {
  'packages/store': [],
  'packages/mime': [],
  'packages/protocol': [],
  // Beside protocol, used only by the app: certificates by ACME (docs/adr/0019) and mailbox
  // formats (docs/adr/0020: its code declares the narrow store interfaces it needs; its tests
  // run it over a real store).
  'packages/acme': ['protocol'],
  'packages/mailbox-io': ['store'],
  // The Sieve interpreter is a library like mime: pure code over an injected message.
  'packages/sieve': ['mime'],
  // Local delivery runs scripts; ManageSieve checks uploads with the interpreter.
  'packages/smtp': [...SERVER_PACKAGE, 'sieve'],
  'packages/managesieve': [...SERVER_PACKAGE, 'sieve'],
  'packages/pop3': SERVER_PACKAGE,
  'packages/imap': SERVER_PACKAGE,
  // The web app's vacation form writes its script with the interpreter's vacation settings code.
  'packages/http': [...SERVER_PACKAGE, 'sieve'],
  'packages/testing': [...SERVER_PACKAGE, ...SERVERS],
  'apps/mailserver': [...SERVER_PACKAGE, ...SERVERS, 'acme', 'mailbox-io', 'sieve'],
  'apps/bench': [...SERVER_PACKAGE, ...SERVERS, 'mailserver'],
  'examples/signup-app': ['testing'],
};

function restrict(folder, allowed) {
  // A workspace may name itself (its own subpath exports); the packages/* default knows no name.
  const self = folder.split('/')[1];
  const names = [...new Set([...(self === '*' ? [] : [self]), ...allowed])];
  const message =
    `${folder} may import only ${allowed.length ? allowed.map((n) => `@minimail/${n}`).join(', ') : 'no other @minimail package'}` +
    ' (ARCHITECTURE.md: arrows point down; protocol packages never import each other)';
  return {
    files: [`${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@minimail/*',
                ...names.flatMap((name) => [`!@minimail/${name}`, `!@minimail/${name}/*`]),
              ],
              message,
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          // `await import('@minimail/x')` (services load their server package on use).
          selector: `ImportExpression > Literal[value=/^@minimail.(?!(${names.join('|')})(\\W|$))/]`,
          message,
        },
      ],
    },
  };
}

/** Flat-config entries: the default for packages/*, then each named workspace. */
export function architectureRules() {
  return [
    restrict('packages/*', SERVER_PACKAGE),
    ...Object.entries(ALLOWED_IMPORTS).map(([folder, allowed]) => restrict(folder, allowed)),
  ];
}
