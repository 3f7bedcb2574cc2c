/**
 * RFC 5228 8.2 grammar, by recursive descent over the lexer's tokens:
 *   commands = *command; command = identifier arguments (";" / block)
 *   arguments = *argument [test / test-list]; argument = string-list / number / tag
 *   test = identifier arguments; test-list = "(" test *("," test) ")"
 * Nesting (blocks and tests together) is bounded, so a hostile script cannot overflow the stack.
 */
import type { Argument, CommandNode, TestNode } from './ast.js';
import { SieveParseError } from './errors.js';
import { tokenize, type Token, type TokenType } from './lexer.js';
import type { SieveLimits } from './limits.js';

type ParseLimits = Pick<SieveLimits, 'maxScriptBytes' | 'maxStringLength' | 'maxNesting' | 'maxListItems'>;

export function parseScript(source: string, limits: ParseLimits): CommandNode[] {
  const p = new Parser(tokenize(source, limits), limits);
  const commands = p.commands(0);
  p.expect('eof', 'a command');
  return commands;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly limits: ParseLimits,
  ) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    return this.tokens[this.pos++]!;
  }
  expect(type: TokenType, what: string): Token {
    const t = this.next();
    if (t.type !== type) throw new SieveParseError(t.line, `expected ${what}, found ${describe(t)}`);
    return t;
  }
  private depth(d: number, line: number): void {
    if (d > this.limits.maxNesting)
      throw new SieveParseError(line, `nesting deeper than ${this.limits.maxNesting}`);
  }

  commands(depth: number): CommandNode[] {
    const out: CommandNode[] = [];
    while (this.peek().type === 'identifier') out.push(this.command(depth));
    return out;
  }

  private command(depth: number): CommandNode {
    const name = this.next();
    const { args, tests } = this.arguments(depth);
    const t = this.next();
    if (t.type === ';') return { name: name.text, args, tests, block: null, line: name.line };
    if (t.type === '{') {
      this.depth(depth + 1, t.line);
      const block = this.commands(depth + 1);
      this.expect('}', '"}" or a command');
      return { name: name.text, args, tests, block, line: name.line };
    }
    throw new SieveParseError(t.line, `expected ";" or "{" after ${name.text}, found ${describe(t)}`);
  }

  private arguments(depth: number): { args: Argument[]; tests: TestNode[] } {
    const args: Argument[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'tag') {
        this.pos++;
        args.push({ kind: 'tag', name: t.text, line: t.line });
      } else if (t.type === 'number') {
        this.pos++;
        args.push({ kind: 'number', value: t.value, line: t.line });
      } else if (t.type === 'string') {
        this.pos++;
        args.push({ kind: 'strings', values: [t.text], list: false, line: t.line });
      } else if (t.type === '[') {
        this.pos++;
        args.push({ kind: 'strings', values: this.stringList(), list: true, line: t.line });
      } else break;
    }
    const t = this.peek();
    if (t.type === 'identifier') return { args, tests: [this.test(depth + 1)] };
    if (t.type === '(') {
      this.pos++;
      const tests = [this.test(depth + 1)];
      while (this.peek().type === ',') {
        this.pos++;
        tests.push(this.test(depth + 1));
      }
      this.expect(')', '")" or ","');
      return { args, tests };
    }
    return { args, tests: [] };
  }

  private stringList(): string[] {
    const values: string[] = [this.expect('string', 'a string').text];
    while (this.peek().type === ',') {
      this.pos++;
      const s = this.expect('string', 'a string');
      if (values.length >= this.limits.maxListItems) {
        throw new SieveParseError(s.line, `string list longer than ${this.limits.maxListItems}`);
      }
      values.push(s.text);
    }
    this.expect(']', '"]" or ","');
    return values;
  }

  private test(depth: number): TestNode {
    const name = this.expect('identifier', 'a test');
    this.depth(depth, name.line);
    const { args, tests } = this.arguments(depth);
    return { name: name.text, args, tests, line: name.line };
  }
}

function describe(t: Token): string {
  if (t.type === 'eof') return 'end of script';
  if (t.type === 'string') return 'a string';
  if (t.type === 'number') return `number ${t.text}`;
  if (t.type === 'tag') return `tag :${t.text}`;
  if (t.type === 'identifier') return `"${t.text}"`;
  return `"${t.type}"`;
}
