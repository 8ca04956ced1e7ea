import type { Document } from 'yaml';
import { ConfigFormatError, ConfigSyntaxError } from './errors.js';

type YamlModule = typeof import('yaml');

let yamlModule: Promise<YamlModule> | undefined;

/** The `yaml` package, imported on first use: the runtime (`loadConfig`) never needs it. */
export function yaml(): Promise<YamlModule> {
  yamlModule ??= import('yaml');
  return yamlModule;
}

/** A parsed file: the document (comments and layout kept, for rewriting) and its plain value. */
export interface ParsedText {
  document: Document;
  value: unknown;
}

/**
 * Parses YAML or JSON (JSON is YAML 1.2) into a document and its value. Duplicate keys are errors.
 * Errors carry line and column and never the source text, which may hold secrets.
 */
export async function parseText(text: string, source: string): Promise<ParsedText> {
  const { parseDocument } = await yaml();
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, keepSourceTokens: false });
  const [error] = document.errors;
  if (error) {
    const [line, column] = error.linePos ? [error.linePos[0].line, error.linePos[0].col] : [1, 1];
    const problem = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
    throw new ConfigSyntaxError(problem, line, column, source, { cause: error.code });
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigFormatError('', `${source}: ${(error as Error).message}`, { cause: error });
  }
  return { document, value };
}

/** YAML text of a document, with no line folding (ciphertexts stay on one line). */
export function documentText(document: Document): string {
  return document.toString({ lineWidth: 0 });
}

/** YAML text of a plain value, with no line folding (the `yaml` package is loaded on first use). */
export async function yamlText(value: unknown): Promise<string> {
  const { stringify } = await yaml();
  return stringify(value, { lineWidth: 0 });
}

/**
 * Replaces string scalars in place so comments and layout survive. Returns `false` (leaving the
 * caller to write a fresh document) when a path does not lead to a plain scalar, e.g. through an
 * alias, because changing a shared anchor would change every place that uses it.
 */
export function patchScalars(document: Document, replacements: readonly { path: (string | number)[]; value: string }[]): boolean {
  type ScalarNode = { value?: unknown; type?: string; anchor?: string };
  const nodes: ScalarNode[] = [];
  for (const { path } of replacements) {
    const node = document.getIn(path, true) as ScalarNode | undefined;
    if (!node || typeof node !== 'object' || !('value' in node) || typeof node.value !== 'string' || node.anchor) return false;
    nodes.push(node);
  }
  replacements.forEach(({ value }, index) => {
    const node = nodes[index] as ScalarNode;
    node.value = value;
    // Ciphertexts are single-line; plaintext may be multi-line, so let the writer pick the style.
    node.type = value.includes('\n') ? undefined : 'PLAIN';
  });
  return true;
}
