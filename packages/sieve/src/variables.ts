/**
 * RFC 5229 variables: "${name}" and "${N}" expansion in strings, the set modifiers, and the
 * variable store of one script (locals) beside the globals shared by included scripts (RFC 6609 3.4).
 */
import { SieveRuntimeError } from './errors.js';

/** RFC 5229 3: identifier names; numbers are match variables; "." names a namespace (left as is). */
const REF = /\$\{([A-Za-z_][A-Za-z0-9_.]*|\d+)\}/g;

export interface VariableScope {
  get(name: string): string | undefined;
  matchVariables: readonly string[];
}

export function expand(s: string, scope: VariableScope, maxLength: number): string {
  if (!s.includes('${')) return s;
  const out = s.replace(REF, (whole, name: string) => {
    if (/^\d+$/.test(name)) {
      // RFC 5229 3.2: an unset match variable is the empty string
      return scope.matchVariables[Number(name)] ?? '';
    }
    if (name.includes('.')) {
      // RFC 6609 3.4: "global.name" is the same variable as a global "name"
      const [ns, ...rest] = name.split('.');
      if (ns!.toLowerCase() === 'global' && rest.length === 1) return scope.get(rest[0]!.toLowerCase()) ?? '';
      return whole;
    }
    // RFC 5229 3: an unknown variable expands to the empty string
    return scope.get(name.toLowerCase()) ?? '';
  });
  if (out.length > maxLength)
    throw new SieveRuntimeError('string-too-long', `expanded string longer than ${maxLength}`);
  return out;
}

/** RFC 5229 4.1: modifiers in precedence order: lower/upper, then first, then quotewildcard, length. */
export function applyModifiers(value: string, modifiers: readonly string[]): string {
  let v = value;
  const has = (m: string): boolean => modifiers.includes(m);
  if (has('lower')) v = v.toLowerCase();
  if (has('upper')) v = v.toUpperCase();
  if (has('lowerfirst')) v = v.charAt(0).toLowerCase() + v.slice(1);
  if (has('upperfirst')) v = v.charAt(0).toUpperCase() + v.slice(1);
  if (has('quotewildcard')) v = v.replace(/[*?\\]/g, (c) => '\\' + c);
  if (has('length')) v = String(Array.from(v).length);
  return v;
}
