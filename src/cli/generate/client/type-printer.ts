/**
 * Prints TypeScript types as self-contained declarations for a client: every interface, class or
 * type alias of the project a route or stream uses becomes an `export interface` with its data
 * properties (methods dropped, a class's too: on the wire a DTO is plain JSON), so the generated
 * file imports nothing from the server.
 */
import * as ts from 'typescript';

/** A named type the printed text refers to, declared once in the generated file. */
interface Declaration {
  name: string;
  text: string;
}

/** Types that cross the wire as JSON strings. */
const AS_STRING = new Set(['Date']);

export class TypePrinter {
  private readonly declarations = new Map<ts.Symbol, Declaration>();
  private readonly takenNames = new Set<string>();

  constructor(
    private readonly checker: ts.TypeChecker,
    /** Whether a declaration belongs to the project (printed by name) rather than to a library (inlined). */
    private readonly isProjectFile: (file: ts.SourceFile) => boolean,
  ) {}

  /** The declarations collected so far, in the order they were first used. */
  declarationsText(): string {
    return [...this.declarations.values()].map((d) => d.text).join('\n\n');
  }

  /** A type expression for `type`, registering the named types it uses. */
  print(type: ts.Type): string {
    const checker = this.checker;
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return 'unknown';
    if (type.flags & ts.TypeFlags.Never) return 'never';
    if (type.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) return type.flags & ts.TypeFlags.Void ? 'void' : 'undefined';
    if (type.flags & ts.TypeFlags.Null) return 'null';
    if (type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.BigIntLike)) {
      if (type.isLiteral() || type.flags & ts.TypeFlags.BooleanLiteral) return checker.typeToString(type);
      if (type.flags & ts.TypeFlags.EnumLike) return checker.typeToString(checker.getBaseTypeOfLiteralType(type));
      return checker.typeToString(type);
    }
    if (type.isUnion()) return this.printUnion(type.types);
    if (type.isIntersection()) return type.types.map((t) => this.wrap(t)).join(' & ');
    if (checker.isTupleType(type))
      return `[${checker
        .getTypeArguments(type as ts.TypeReference)
        .map((t) => this.print(t))
        .join(', ')}]`;
    if (checker.isArrayType(type)) return `Array<${this.print(checker.getTypeArguments(type as ts.TypeReference)[0]!)}>`;
    if (type.flags & ts.TypeFlags.Object) return this.printObject(type as ts.ObjectType);
    return 'unknown';
  }

  /** A parameter's type; an optional one without its `undefined` (the `?` says it). */
  printOptional(type: ts.Type, optional: boolean): string {
    return optional && type.isUnion() ? this.printUnionWithout(type, ts.TypeFlags.Undefined) : this.print(type);
  }

  /** A union without the members of the given kinds (`Todo | undefined` ⇒ `Todo`). */
  printUnionWithout(type: ts.UnionType, flags: ts.TypeFlags): string {
    const kept = type.types.filter((t) => !(t.flags & flags));
    return kept.length === 0 ? 'never' : this.printUnion(kept);
  }

  private wrap(type: ts.Type): string {
    const text = this.print(type);
    return type.isUnion() && !(type.flags & ts.TypeFlags.Boolean) ? `(${text})` : text;
  }

  /** `true | false` prints as `boolean`, as the source said. */
  private printUnion(types: readonly ts.Type[]): string {
    const isTrue = (t: ts.Type): boolean => (t.flags & ts.TypeFlags.BooleanLiteral) !== 0 && this.checker.typeToString(t) === 'true';
    const isFalse = (t: ts.Type): boolean => (t.flags & ts.TypeFlags.BooleanLiteral) !== 0 && this.checker.typeToString(t) === 'false';
    const both = types.some(isTrue) && types.some(isFalse);
    const parts: string[] = [];
    for (const t of types) {
      if (both && (isTrue(t) || isFalse(t))) {
        if (!parts.includes('boolean')) parts.push('boolean');
        continue;
      }
      const text = this.print(t);
      if (!parts.includes(text)) parts.push(text);
    }
    return parts.join(' | ');
  }

  private printObject(type: ts.ObjectType): string {
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (symbol !== undefined && AS_STRING.has(symbol.getName())) return 'string';
    if (isFunctionType(type)) return 'never';
    const named = symbol !== undefined && this.isNamedProjectType(type, symbol);
    if (named) return this.declare(symbol, type);
    return this.literal(type);
  }

  /** An interface, class or type alias declared in the project, used without type arguments. */
  private isNamedProjectType(type: ts.ObjectType, symbol: ts.Symbol): boolean {
    const declarations = symbol.getDeclarations() ?? [];
    const declared = declarations.some(
      (d) =>
        (ts.isInterfaceDeclaration(d) || ts.isClassDeclaration(d) || ts.isTypeAliasDeclaration(d)) && this.isProjectFile(d.getSourceFile()),
    );
    const generic =
      (type.aliasTypeArguments?.length ?? 0) > 0 ||
      ((type.objectFlags & ts.ObjectFlags.Reference) !== 0 && this.checker.getTypeArguments(type as ts.TypeReference).length > 0);
    return declared && !generic;
  }

  private declare(symbol: ts.Symbol, type: ts.ObjectType): string {
    const existing = this.declarations.get(symbol);
    if (existing !== undefined) return existing.name;
    let name = symbol.getName();
    for (let n = 2; this.takenNames.has(name); n++) name = `${symbol.getName()}${n}`;
    this.takenNames.add(name);
    // Registered before its body is printed, so a type that refers to itself terminates.
    const declaration: Declaration = { name, text: '' };
    this.declarations.set(symbol, declaration);
    const doc = docComment(ts.displayPartsToString(symbol.getDocumentationComment(this.checker)));
    declaration.text = `${doc}export interface ${name} ${this.literal(type)}`;
    return name;
  }

  /** `{ a: T; b?: U }` over the data properties (and index signatures) of `type`. */
  private literal(type: ts.Type): string {
    const checker = this.checker;
    const lines: string[] = [];
    for (const info of checker.getIndexInfosOfType(type)) {
      lines.push(`[key: ${checker.typeToString(info.keyType)}]: ${this.print(info.type)};`);
    }
    for (const property of checker.getPropertiesOfType(type)) {
      const declaration = property.valueDeclaration ?? property.getDeclarations()?.[0];
      if (declaration === undefined || ts.isMethodDeclaration(declaration) || ts.isMethodSignature(declaration)) continue;
      if (
        ts.isPropertyDeclaration(declaration) &&
        declaration.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.StaticKeyword)
      )
        continue;
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      const propertyType = checker.getTypeOfSymbolAtLocation(property, declaration);
      if (propertyType.getCallSignatures().length > 0) continue;
      // `T | undefined` of an optional property prints as `T`: the `?` says it.
      const text = this.printOptional(propertyType, optional);
      const doc = docComment(ts.displayPartsToString(property.getDocumentationComment(checker)));
      const key = /^[A-Za-z_$][\w$]*$/.test(property.getName()) ? property.getName() : JSON.stringify(property.getName());
      lines.push(`${doc}${key}${optional ? '?' : ''}: ${text};`);
    }
    // Laid out by Prettier when the file is written.
    return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n}`;
  }
}

/** A plain function type: nothing a JSON client receives. */
function isFunctionType(type: ts.Type): boolean {
  return type.getCallSignatures().length > 0 && type.getProperties().length === 0;
}

function docComment(text: string): string {
  if (text.trim() === '') return '';
  const lines = text.trim().split('\n');
  if (lines.length === 1) return `/** ${lines[0]} */\n`;
  return `/**\n${lines.map((l) => ` * ${l}`.trimEnd()).join('\n')}\n */\n`;
}
