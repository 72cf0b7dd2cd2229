/**
 * The declared types the decorators' metadata cannot carry (a method's result behind its
 * `Promise`, an interface, a parameter's exact type), read with the TypeScript compiler from the
 * project's sources at generation time. The compiler is a devDependency: generation is a
 * development step, never part of the running app.
 */
import * as path from 'node:path';
import * as ts from 'typescript';
import { GenerateError } from '../generator';

/** One controller method's declared parameter types (by index) and result type. */
export interface MethodTypes {
  params: Map<number, { type: ts.Type; optional: boolean }>;
  /** The awaited result; `HttpResult<T>` is unwrapped to `T`. */
  result: ts.Type;
}

export class DeclaredTypes {
  readonly checker: ts.TypeChecker;
  private readonly program: ts.Program;
  private readonly classes = new Map<string, ts.ClassDeclaration[]>();

  constructor(private readonly root: string) {
    const configFile = path.join(root, 'tsconfig.json');
    const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    if (parsed === undefined) throw new GenerateError(`cannot read ${configFile}`);
    const srcDir = path.join(root, 'src') + path.sep;
    // The app's own sources are enough: their imports pull in what they use.
    this.program = ts.createProgram(
      parsed.fileNames.filter((f) => path.resolve(f).startsWith(srcDir)),
      { ...parsed.options, noEmit: true },
    );
    this.checker = this.program.getTypeChecker();
    for (const file of this.program.getSourceFiles()) {
      if (!this.isProjectFile(file)) continue;
      file.forEachChild((node) => {
        if (ts.isClassDeclaration(node) && node.name !== undefined) {
          const list = this.classes.get(node.name.text) ?? [];
          list.push(node);
          this.classes.set(node.name.text, list);
        }
      });
    }
  }

  /** Declarations under the project root (not node_modules, not TypeScript's lib). */
  readonly isProjectFile = (file: ts.SourceFile): boolean =>
    !file.isDeclarationFile && path.resolve(file.fileName).startsWith(this.root + path.sep) && !file.fileName.includes('/node_modules/');

  /** The declared types of `className.methodName`. */
  method(className: string, methodName: string): MethodTypes {
    const candidates = this.classes.get(className) ?? [];
    if (candidates.length !== 1) {
      throw new GenerateError(
        candidates.length === 0
          ? `class ${className} not found in the project's sources`
          : `class ${className} is declared ${candidates.length} times (${candidates.map((c) => path.relative(this.root, c.getSourceFile().fileName)).join(', ')}): give controllers distinct names`,
      );
    }
    const cls = candidates[0]!;
    const member = this.findMethod(cls, methodName);
    if (member === undefined) throw new GenerateError(`${className}.${methodName} not found in its declaration`);
    const signature = this.checker.getSignatureFromDeclaration(member);
    if (signature === undefined) throw new GenerateError(`${className}.${methodName} has no signature`);
    const params = new Map<number, { type: ts.Type; optional: boolean }>();
    member.parameters.forEach((param, index) => {
      params.set(index, {
        type: this.checker.getTypeAtLocation(param),
        optional: param.questionToken !== undefined || param.initializer !== undefined,
      });
    });
    return { params, result: this.unwrapResult(this.checker.getReturnTypeOfSignature(signature)) };
  }

  /** A method of the class or of a base class it extends. */
  private findMethod(cls: ts.ClassDeclaration, name: string): ts.MethodDeclaration | undefined {
    const own = cls.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText() === name);
    if (own !== undefined) return own;
    const base = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    const baseSymbol = base !== undefined ? this.checker.getSymbolAtLocation(base.expression) : undefined;
    const resolved =
      baseSymbol !== undefined && baseSymbol.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(baseSymbol) : baseSymbol;
    const baseClass = resolved?.getDeclarations()?.find(ts.isClassDeclaration);
    return baseClass !== undefined ? this.findMethod(baseClass, name) : undefined;
  }

  private unwrapResult(type: ts.Type): ts.Type {
    const awaited = this.checker.getAwaitedType(type) ?? type;
    const symbol = awaited.getSymbol();
    if (symbol?.getName() === 'HttpResult' && awaited.flags & ts.TypeFlags.Object) {
      const args = this.checker.getTypeArguments(awaited as ts.TypeReference);
      return args[0] ?? this.checker.getUnknownType();
    }
    return awaited;
  }
}
