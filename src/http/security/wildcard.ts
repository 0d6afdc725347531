/**
 * IAM's wildcards in Action values: `*` is any run of characters
 * (including none), `?` is any one character, and action names compare
 * case-insensitively (IAM User Guide, "IAM JSON policy elements: Action").
 * Compiled once, at config load, to an anchored regular expression.
 */
export function compileWildcard(pattern: string): RegExp {
  let source = '';
  for (const c of pattern) source += c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  return new RegExp(`^${source}$`, 'is');
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
