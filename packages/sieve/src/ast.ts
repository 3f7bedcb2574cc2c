/** The generic syntax tree of RFC 5228 8.2: commands with arguments, tests and blocks. */
export type Argument =
  | { kind: 'tag'; name: string; line: number }
  | { kind: 'number'; value: number; line: number }
  | { kind: 'strings'; values: string[]; list: boolean; line: number };

export interface TestNode {
  name: string;
  args: Argument[];
  tests: TestNode[];
  line: number;
}

export interface CommandNode {
  name: string;
  args: Argument[];
  tests: TestNode[];
  /** The block after the arguments, or null for a command ended by ";". */
  block: CommandNode[] | null;
  line: number;
}
