import { dirname, join } from 'node:path';
import ts from 'typescript';

const ROOT = new URL('../../../', import.meta.url).pathname;
const HERE = dirname(new URL(import.meta.url).pathname);

/**
 * Type-checks in-memory TypeScript modules with the project's own tsconfig (strict, NodeNext),
 * as if each sat next to this file, so `./dashboard-schema.js` and `@grafana/schema` resolve as
 * they do for `tsc -p tsconfig.json`. Nothing is written to disk.
 *
 * @param sources module name (e.g. `fleet-overview.check.ts`) → source text
 * @returns module name → diagnostics (syntactic and semantic) as flattened messages; empty when it checks
 */
export function typeCheck(sources: Record<string, string>): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('cannot read tsconfig.json');
  const virtual = new Map(Object.entries(sources).map(([name, text]) => [join(HERE, name), text]));
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => virtual.has(file) || fileExists.call(host, file);
  host.readFile = (file) => virtual.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, onError, shouldCreate) => {
    const text = virtual.get(file);
    return text === undefined
      ? getSourceFile.call(host, file, language, onError, shouldCreate)
      : ts.createSourceFile(file, text, language, true);
  };
  const program = ts.createProgram([...virtual.keys()], { ...config.options, noEmit: true }, host);
  const result = new Map<string, string[]>();
  for (const [file] of virtual) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} was not loaded`);
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    result.set(
      file.slice(HERE.length + 1),
      diagnostics.map((d) => {
        const where = d.start === undefined ? '' : `line ${source.getLineAndCharacterOfPosition(d.start).line + 1}: `;
        return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
      }),
    );
  }
  return result;
}
