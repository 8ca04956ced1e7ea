/**
 * A structural check of Terraform files, for a machine without Terraform: it reads HCL's lexical
 * layer (comments, strings with `${…}` interpolations and heredocs, brackets) and the top-level
 * blocks, then checks what `terraform validate` would reject first: unbalanced brackets or
 * quotes, duplicate declarations, and references to resources, data sources, variables and locals
 * that no file of the module declares.
 */
export interface HclModule {
  /** `resource.<type>.<name>`, `data.<type>.<name>`, `variable.<name>`, `output.<name>`, `local.<name>`. */
  declarations: string[];
  /** Every `type.name`, `data.type.name`, `var.name` and `local.name` used in an expression. */
  references: string[];
  /** Everything wrong, one line each; empty when the module passes. */
  problems: string[];
}

interface Scan {
  /** The file with comments removed and string contents blanked, interpolations kept as code. */
  code: string;
  problems: string[];
}

const CLOSERS: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

/** Blanks comments and literal string text, keeping `${…}` interpolations, and checks brackets. */
function scan(file: string, text: string): Scan {
  const problems: string[] = [];
  const stack: { char: string; line: number }[] = [];
  let code = '';
  let line = 1;
  let i = 0;
  // Each open string (or heredoc) records the bracket depth its interpolation returns to.
  const strings: { depth: number; heredoc?: string }[] = [];
  const inString = () => strings.length > 0 && strings[strings.length - 1]!.depth === stack.length;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '\n') line++;
    if (inString()) {
      const top = strings[strings.length - 1]!;
      if (top.heredoc !== undefined) {
        const lineEnd = text.indexOf('\n', i);
        const current = text.slice(i, lineEnd < 0 ? undefined : lineEnd);
        if (text[i - 1] === '\n' && current.trim() === top.heredoc) {
          strings.pop();
          code += ' '.repeat(current.length);
          i += current.length;
          continue;
        }
      }
      if (char === '\\' && top.heredoc === undefined) {
        code += '  ';
        i += 2;
        continue;
      }
      if (char === '$' && text[i + 1] === '{') {
        stack.push({ char: '{', line });
        code += '${';
        i += 2;
        continue;
      }
      if (char === '"' && top.heredoc === undefined) {
        strings.pop();
        code += '"';
        i++;
        continue;
      }
      code += char === '\n' ? '\n' : ' ';
      i++;
      continue;
    }
    if (char === '#' || (char === '/' && text[i + 1] === '/')) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (char === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) problems.push(`${file}:${line}: unclosed /* comment`);
      const comment = text.slice(i, end < 0 ? text.length : end + 2);
      line += comment.split('\n').length - 1;
      code += comment.replace(/[^\n]/g, ' ');
      i += comment.length;
      continue;
    }
    const heredoc = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\n/.exec(text.slice(i));
    if (heredoc) {
      strings.push({ depth: stack.length, heredoc: heredoc[1] });
      code += '"';
      i += heredoc[0].length - 1;
      continue;
    }
    if (char === '"') {
      strings.push({ depth: stack.length });
      code += '"';
      i++;
      continue;
    }
    if (char in CLOSERS) stack.push({ char, line });
    else if (char === '}' || char === ']' || char === ')') {
      const open = stack.pop();
      if (!open || CLOSERS[open.char] !== char) problems.push(`${file}:${line}: "${char}" closes ${open ? `"${open.char}" of line ${open.line}` : 'nothing'}`);
    }
    code += char;
    i++;
  }
  for (const open of stack) problems.push(`${file}:${open.line}: "${open.char}" is never closed`);
  if (strings.length) problems.push(`${file}: a string or heredoc is never closed`);
  return { code, problems };
}

/** The attributes of the `locals` blocks: names at depth 1 inside `locals { … }`. */
function localsOf(code: string): string[] {
  const names: string[] = [];
  const block = /(^|\n)locals\s*\{/g;
  let match: RegExpExecArray | null;
  while ((match = block.exec(code))) {
    let depth = 1;
    let i = match.index + match[0].length;
    let lineStart = i;
    for (; i < code.length && depth > 0; i++) {
      const char = code[i];
      if (char === '\n') lineStart = i + 1;
      if (char === '{' || char === '[' || char === '(') depth++;
      if (char === '}' || char === ']' || char === ')') depth--;
      if (depth === 1 && char === '=' && code[i + 1] !== '=' && code[i - 1] !== '=' && code[i - 1] !== '!') {
        const name = code.slice(lineStart, i).trim();
        if (/^[A-Za-z_][\w-]*$/.test(name)) names.push(name);
      }
    }
  }
  return names;
}

/** Checks the .tf files of one module (file name → text). */
export function checkHclModule(files: Record<string, string>): HclModule {
  const problems: string[] = [];
  const declarations: string[] = [];
  const references = new Set<string>();
  const codes: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    const scanned = scan(file, text);
    problems.push(...scanned.problems);
    codes.push(scanned.code);
    // Top-level blocks start a line at depth 0; labels are quoted, so look at the raw text.
    for (const match of text.matchAll(/^(resource|data)\s+"([\w-]+)"\s+"([\w-]+)"\s*\{/gm)) {
      declarations.push(match[1] === 'data' ? `data.${match[2]}.${match[3]}` : `resource.${match[2]}.${match[3]}`);
    }
    for (const match of text.matchAll(/^(variable|output)\s+"([\w-]+)"\s*\{/gm)) declarations.push(`${match[1]}.${match[2]}`);
    for (const name of localsOf(scanned.code)) declarations.push(`local.${name}`);
    for (const match of text.matchAll(/^(\w+)\b/gm)) {
      if (!['resource', 'data', 'variable', 'output', 'locals', 'terraform', 'provider', 'module'].includes(match[1]!)) {
        problems.push(`${file}: unknown top-level block "${match[1]}"`);
      }
    }
  }
  const seen = new Set<string>();
  for (const declaration of declarations) {
    if (seen.has(declaration)) problems.push(`${declaration} is declared twice`);
    seen.add(declaration);
  }
  const code = codes.join('\n');
  for (const match of code.matchAll(/(?<![\w.])(data\.)?(aws_[a-z0-9_]+)\.([a-z0-9_]+)/g)) {
    references.add(match[1] ? `data.${match[2]}.${match[3]}` : `resource.${match[2]}.${match[3]}`);
  }
  for (const match of code.matchAll(/(?<![\w.])(var|local)\.([a-z0-9_]+)/g)) references.add(`${match[1] === 'var' ? 'variable' : 'local'}.${match[2]}`);
  for (const reference of references) if (!seen.has(reference)) problems.push(`${reference} is used but never declared`);
  return { declarations, references: [...references], problems };
}
