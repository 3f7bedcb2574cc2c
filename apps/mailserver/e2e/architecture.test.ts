/**
 * The house checks itself (issue 17): the package arrows of ARCHITECTURE.md are lint rules
 * (eslint/architecture.js), so a stray `import '@minimail/imap'` in pop3 fails `npm run lint`. This
 * test keeps that true, and holds every workspace's package.json dependencies to the same table.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../src/paths.js';

const ROOT = repositoryRoot();

interface ArchitectureModule {
  ALLOWED_IMPORTS: Record<string, string[]>;
}

describe('package arrows (ARCHITECTURE.md)', () => {
  it('lint fails a protocol package importing another, statically or dynamically', async () => {
    // The files below exist only as text: without type information (no project to find them in).
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfig: {
        languageOptions: { parserOptions: { projectService: false } },
        rules: { '@typescript-eslint/no-floating-promises': 'off' },
      },
    });
    const lint = async (file: string, code: string): Promise<string[]> => {
      const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
      return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
    };
    const stray = await lint('packages/pop3/src/stray.ts', "import '@minimail/imap';\nexport const a = 1;\n");
    expect(stray).toEqual([
      "no-restricted-imports: '@minimail/imap' import is restricted from being used by a pattern. " +
        'packages/pop3 may import only @minimail/protocol, @minimail/store, @minimail/mime ' +
        '(ARCHITECTURE.md: arrows point down; protocol packages never import each other)',
    ]);
    const dynamic = await lint(
      'packages/smtp/src/stray.ts',
      "export const load = () => import('@minimail/http');\n",
    );
    expect(dynamic).toHaveLength(1);
    expect(dynamic[0]).toMatch(/^no-restricted-syntax: packages\/smtp may import only/);
    expect(
      await lint('packages/store/src/stray.ts', "export { x } from '@minimail/protocol';\n"),
    ).toHaveLength(1);
    // A new package under packages/ gets the server-package rule by default.
    expect(await lint('packages/newcomer/src/a.ts', "import '@minimail/smtp';\n")).toHaveLength(1);
    // What the arrows allow passes.
    expect(
      await lint('packages/pop3/src/fine.ts', "import '@minimail/protocol';\nimport '@minimail/store';\n"),
    ).toEqual([]);
    expect(
      await lint('apps/mailserver/src/fine.ts', "export const f = () => import('@minimail/imap');\n"),
    ).toEqual([]);
  });

  it("every workspace's package.json depends only on the packages its arrows allow", async () => {
    const { ALLOWED_IMPORTS } = (await import(
      path.join(ROOT, 'eslint', 'architecture.js')
    )) as ArchitectureModule;
    const workspaces = ['packages', 'apps', 'examples'].flatMap((group) =>
      existsSync(path.join(ROOT, group))
        ? readdirSync(path.join(ROOT, group)).map((name) => `${group}/${name}`)
        : [],
    );
    const wrong: string[] = [];
    for (const folder of workspaces) {
      const file = path.join(ROOT, folder, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<
        string,
        Record<string, string> | undefined
      >;
      const allowed =
        ALLOWED_IMPORTS[folder] ?? (folder.startsWith('packages/') ? ['protocol', 'store', 'mime'] : null);
      if (allowed === null) continue;
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
        for (const name of Object.keys(manifest[field] ?? {})) {
          const short = name.replace(/^@minimail\//, '');
          if (name.startsWith('@minimail/') && !allowed.includes(short))
            wrong.push(`${folder} ${field}: ${name}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
