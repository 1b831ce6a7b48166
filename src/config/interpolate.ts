// `${VAR}` and `${VAR:-default}` in string values, from the environment; `$${` writes a literal `${`.
// Pure string work: the loaders decide where it applies and turn problems into positioned issues.

/** How a variable name resolves: a value, a problem to report, or `undefined` when it is not set. */
export type VariableResolver = (name: string) => { value: string } | { error: string } | undefined;

export interface InterpolationProblem {
  message: string;
  /** Offset of the `${…}` expression in the interpolated text. */
  index: number;
  /** The expression as written, e.g. `${API_TOKEN}`. */
  expression: string;
}

export type InterpolationResult =
  | { ok: true; value: string; changed: boolean }
  | { ok: false; problems: InterpolationProblem[] };

const NAME = /[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?/y;

/** Resolves plain names and VS Code's `env:NAME` spelling from an environment. */
export function environmentResolver(env: Readonly<Record<string, string | undefined>>): VariableResolver {
  return (name) => {
    const colon = name.indexOf(':');
    if (colon >= 0 && name.slice(0, colon) !== 'env') {
      return { error: `\`\${${name}}\` is not an environment variable; write \`\${NAME}\` or \`\${env:NAME}\`` };
    }
    const value = env[colon >= 0 ? name.slice(colon + 1) : name];
    return value === undefined ? undefined : { value };
  };
}

/** True when the text contains anything `interpolate` would act on. */
export function hasInterpolation(text: string): boolean {
  return text.includes('${');
}

export function interpolate(text: string, resolve: VariableResolver): InterpolationResult {
  const problems: InterpolationProblem[] = [];
  let out = '';
  let i = 0;
  // Every branch advances i, so the loop ends within text.length steps.
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const end = closingBrace(text, i + 2);
    if (end < 0) {
      problems.push({ message: `unterminated \`\${\`: add the closing \`}\` (or write \`$\${\` for a literal \`\${\`)`, index: i, expression: text.slice(i) });
      break;
    }
    const expression = text.slice(i, end + 1);
    const substituted = substitute(text.slice(i + 2, end), expression, resolve);
    if ('problem' in substituted) problems.push({ message: substituted.problem, index: i, expression });
    else out += substituted.value;
    i = end + 1;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: out, changed: out !== text };
}

function substitute(
  inner: string,
  expression: string,
  resolve: VariableResolver,
): { value: string } | { problem: string } {
  NAME.lastIndex = 0;
  const name = NAME.exec(inner)?.[0];
  const rest = name === undefined ? inner : inner.slice(name.length);
  if (name === undefined || (rest !== '' && !rest.startsWith(':-'))) {
    return { problem: `\`${expression}\` is not a valid reference: write \`\${NAME}\` or \`\${NAME:-default}\`` };
  }
  const resolved = resolve(name);
  if (resolved && 'error' in resolved) return { problem: resolved.error };
  if (rest === '') {
    if (resolved) return resolved;
    const variable = name.replace(/^env:/, '');
    return { problem: `environment variable \`${variable}\` is not set (give a default with \`\${${name}:-default}\`)` };
  }
  if (resolved && resolved.value !== '') return resolved;
  const fallback = interpolate(rest.slice(2), resolve);
  return fallback.ok ? { value: fallback.value } : { problem: fallback.problems.map((p) => p.message).join('; ') };
}

/** Index of the `}` closing an expression whose body starts at `from`, honouring nested `${…}`. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let j = from; j < text.length; j += 1) {
    if (text.startsWith('${', j)) {
      depth += 1;
      j += 1;
    } else if (text[j] === '}') {
      if (depth === 0) return j;
      depth -= 1;
    }
  }
  return -1;
}
