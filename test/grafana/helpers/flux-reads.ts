/**
 * What a Flux query reads from storage, read off the parser's AST: for each chain that starts at `from()`,
 * the measurements, fields and tag values its filters name and the columns they touch, and for each
 * `schema.tagValues()` the tag it lists and its predicate's measurements.
 *
 * Only filters that still see stored rows count: those after `from()` and before the first step that reshapes
 * rows (map, pivot, reduce, union, …); a filter after a pivot reads columns the query made, not stored ones.
 * A chain kept in a variable carries its filters into every use of the variable.
 */

export interface Comparison {
  readonly column: string;
  readonly values: readonly string[];
}

export interface StoredRead {
  readonly kind: 'from' | 'tagValues';
  readonly measurements: ReadonlySet<string>;
  readonly fields: ReadonlySet<string>;
  /** `r.<column> == / != "literal"` and `contains(value: r.<column>, set: [...])` on other columns. */
  readonly comparisons: readonly Comparison[];
  /** Every `r.<column>` the filters touch. */
  readonly columns: ReadonlySet<string>;
  /** tagValues: the tag listed. */
  readonly tag?: string;
}

type Node = { readonly type?: string; readonly [key: string]: unknown };

interface Chain {
  readonly predicates: Node[];
  reshaped: boolean;
}

/** Steps after which rows still have the stored columns, so a later filter still reads stored data. */
const PASS_THROUGH = new Set(['range', 'filter', 'group', 'sort', 'limit', 'first', 'last', 'keep', 'drop', 'window', 'tail']);

export function storedReads(ast: unknown): StoredRead[] {
  const reads: StoredRead[] = [];
  const env = new Map<string, Chain | undefined>();

  const finish = (chain: Chain | undefined) => {
    if (chain) reads.push(readOf('from', chain.predicates));
  };

  /** The chain an expression denotes (a copy), or undefined when it does not start at from(). */
  const chainOf = (node: Node | undefined): Chain | undefined => {
    if (!node) return undefined;
    switch (node.type) {
      case 'Identifier': {
        const known = env.get(node.name as string);
        return known ? { predicates: [...known.predicates], reshaped: known.reshaped } : undefined;
      }
      case 'ParenExpression':
        return chainOf(node.expression as Node);
      case 'PipeExpression': {
        const chain = chainOf(node.argument as Node);
        const call = node.call as Node;
        if (!chain) return undefined;
        const name = calleeName(call);
        if (name === 'filter' && !chain.reshaped) {
          const fn = argument(call, 'fn');
          if (fn?.type === 'FunctionExpression') chain.predicates.push(fn);
        } else if (!PASS_THROUGH.has(name)) {
          chain.reshaped = true;
        }
        return chain;
      }
      case 'CallExpression':
        return calleeName(node) === 'from' ? { predicates: [], reshaped: false } : undefined;
      default:
        return undefined;
    }
  };

  /**
   * Walks everything. A chain is finished where it is used as a value: at its outermost pipe, or where a
   * variable holding it is named (union's tables, say); a chain assigned to a variable is finished at its uses,
   * with the filters added there. The calls along a chain are searched for chains of their own.
   */
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as Node;
    switch (n.type) {
      case 'VariableAssignment': {
        const init = n.init as Node;
        if (isChainLike(init)) visitParts(init);
        else visit(init);
        env.set((n.id as Node).name as string, chainOf(init));
        return;
      }
      case 'Identifier':
        finish(chainOf(n));
        return;
      case 'PipeExpression':
      case 'CallExpression':
        finish(chainOf(n));
        visitParts(n);
        return;
      default:
        for (const [key, value] of Object.entries(n)) if (key !== 'location') visit(value);
    }
  };

  /** The arguments of every call along a chain, without finishing the chain's own shorter prefixes. */
  const visitParts = (node: Node): void => {
    if (node.type === 'PipeExpression') {
      visitCall(node.call as Node);
      visitParts(node.argument as Node);
    } else if (node.type === 'CallExpression') {
      visitCall(node);
    } else if (node.type === 'ParenExpression') {
      visitParts(node.expression as Node);
    } else if (node.type !== 'Identifier') {
      visit(node);
    }
  };

  const visitCall = (call: Node) => {
    if (isTagValues(call)) reads.push(tagValuesRead(call));
    visit(call.arguments);
  };

  visit((ast as Node).body);
  return reads;
}

function isChainLike(node: Node): boolean {
  return node.type === 'PipeExpression' || node.type === 'CallExpression' || node.type === 'ParenExpression' || node.type === 'Identifier';
}

function calleeName(call: Node): string {
  const callee = call.callee as Node | undefined;
  if (callee?.type === 'Identifier') return callee.name as string;
  if (callee?.type === 'MemberExpression') return propertyName(callee) ?? '';
  return '';
}

function isTagValues(call: Node): boolean {
  const callee = call.callee as Node | undefined;
  return callee?.type === 'MemberExpression' && (callee.object as Node).type === 'Identifier' && (callee.object as Node).name === 'schema' && ['tagValues', 'measurementTagValues'].includes(propertyName(callee) ?? '');
}

function tagValuesRead(call: Node): StoredRead {
  const predicate = argument(call, 'predicate');
  const measurement = argument(call, 'measurement');
  const read = readOf('tagValues', predicate?.type === 'FunctionExpression' ? [predicate] : []);
  const measurements = new Set(read.measurements);
  if (measurement?.type === 'StringLiteral') measurements.add(measurement.value as string);
  const tag = argument(call, 'tag');
  return { ...read, measurements, ...(tag?.type === 'StringLiteral' ? { tag: tag.value as string } : {}) };
}

/** The named argument of a call (Flux calls take one object of named arguments). */
function argument(call: Node, name: string): Node | undefined {
  for (const object of (call.arguments as Node[] | undefined) ?? []) {
    for (const property of (object.properties as Node[] | undefined) ?? []) {
      if (keyName(property) === name) return property.value as Node;
    }
  }
  return undefined;
}

function keyName(property: Node): string | undefined {
  const key = property.key as Node;
  return key.type === 'Identifier' ? (key.name as string) : key.type === 'StringLiteral' ? (key.value as string) : undefined;
}

function propertyName(member: Node): string | undefined {
  const property = member.property as Node;
  return property.type === 'Identifier' ? (property.name as string) : property.type === 'StringLiteral' ? (property.value as string) : undefined;
}

function readOf(kind: StoredRead['kind'], predicates: readonly Node[]): StoredRead {
  const measurements = new Set<string>();
  const fields = new Set<string>();
  const comparisons: Comparison[] = [];
  const columns = new Set<string>();
  for (const fn of predicates) {
    const row = (((fn.params as Node[])[0]?.key as Node | undefined)?.name as string | undefined) ?? 'r';
    const column = (node: Node | undefined): string | undefined =>
      node?.type === 'MemberExpression' && (node.object as Node).type === 'Identifier' && (node.object as Node).name === row ? propertyName(node) : undefined;
    const compared = (name: string, values: string[]) => {
      if (name === '_measurement') values.forEach((v) => measurements.add(v));
      else if (name === '_field') values.forEach((v) => fields.add(v));
      else comparisons.push({ column: name, values });
    };
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node === null || typeof node !== 'object') return;
      const n = node as Node;
      const own = column(n);
      if (own !== undefined) columns.add(own);
      if (n.type === 'BinaryExpression' && (n.operator === '==' || n.operator === '!=')) {
        const [left, right] = [n.left as Node, n.right as Node];
        const name = column(left) ?? column(right);
        const literal = left.type === 'StringLiteral' ? left : right.type === 'StringLiteral' ? right : undefined;
        if (name !== undefined && literal) compared(name, [literal.value as string]);
      }
      if (n.type === 'CallExpression' && calleeName(n) === 'contains') {
        const name = column(argument(n, 'value'));
        const set = argument(n, 'set');
        if (name !== undefined && set?.type === 'ArrayExpression') {
          const literals = (set.elements as Node[]).filter((e) => e.type === 'StringLiteral').map((e) => e.value as string);
          if (literals.length > 0) compared(name, literals);
        }
      }
      for (const [key, value] of Object.entries(n)) if (key !== 'location') walk(value);
    };
    walk(fn.body);
  }
  return { kind, measurements, fields, comparisons, columns };
}
