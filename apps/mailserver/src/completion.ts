/**
 * Shell completion scripts for bash and zsh, generated from the command table so that a new command
 * file completes without touching this one. zsh runs the bash function through bashcompinit (part
 * of zsh), so both shells complete the same words.
 */
import type { CommandSpec } from './commands/command.js';

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/** Global words offered everywhere; `--config` takes a file name. */
const GLOBAL_WORDS = ['--config', '--help'];

/** For each command path ('' for the top, 'user' for a group, 'user add' for a leaf): its words. */
export function completionTable(commands: Record<string, CommandSpec>): Map<string, string[]> {
  const table = new Map<string, string[]>([['', ['help', '--version', ...GLOBAL_WORDS]]]);
  const add = (path: string, word: string): void => {
    const words = table.get(path) ?? [...GLOBAL_WORDS];
    if (!words.includes(word)) words.push(word);
    table.set(path, words);
  };
  for (const [name, spec] of Object.entries(commands)) {
    const words = name.split(' ');
    add('', words[0]!);
    if (words.length === 2) add(words[0]!, words[1]!);
    for (const option of Object.keys(spec.options ?? {})) add(name, `--${option}`);
    if (spec.json) add(name, '--json');
    if (!table.has(name)) table.set(name, [...GLOBAL_WORDS]);
  }
  for (const name of table.keys()) if (name !== '' && !name.includes(' ')) add('help', name);
  return table;
}

function bashScript(commands: Record<string, CommandSpec>): string {
  const table = completionTable(commands);
  // Longest paths first: `user add ...` must match before `user ...`.
  const paths = [...table.keys()].sort((a, b) => b.length - a.length);
  const cases = paths
    .map((path) => {
      const pattern = path === '' ? '""' : `"${path}"|"${path} "*`;
      return `    ${pattern}) words="${table.get(path)!.join(' ')}" ;;`;
    })
    .join('\n');
  return `# minimail completion for bash: eval "$(minimail completion bash)" (e.g. in ~/.bashrc)
_minimail() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" words="" i
  if [ "$prev" = "--config" ]; then
    COMPREPLY=( $(compgen -f -- "$cur") )
    return 0
  fi
  # The command words typed so far, without options and the value of --config.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --config) i=$((i + 1)) ;;
      -*) ;;
      *) path="\${path:+$path }\${COMP_WORDS[i]}" ;;
    esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -o default -F _minimail minimail
`;
}

export function completionScript(shell: Shell, commands: Record<string, CommandSpec>): string {
  const bash = bashScript(commands);
  if (shell === 'bash') return bash;
  return `#compdef minimail
# minimail completion for zsh: eval "$(minimail completion zsh)" (e.g. in ~/.zshrc)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash.split('\n').slice(1).join('\n')}`;
}
