/** The AST velocityjs's parser produces (the parts our interpreter reads). */
export interface Position {
  first_line: number
  last_line: number
  first_column: number
  last_column: number
}

export interface PathStep {
  type: 'property' | 'method' | 'index'
  id: string | Expression
  args?: Expression[] | false
}

export interface ReferenceNode {
  type: 'references'
  id: string
  path?: PathStep[]
  leader: '$' | '$!'
  isWraped?: boolean
  prue?: boolean
  pos?: Position
}

export type Expression =
  | ReferenceNode
  | { type: 'integer'; value: string | number }
  | { type: 'decimal'; value: string | number }
  | { type: 'bool'; value: string }
  | { type: 'string'; value: string; isEval?: boolean }
  | { type: 'array'; value: (Expression | string)[]; isRange?: boolean }
  | { type: 'map'; value: Record<string, Expression> | undefined }
  | { type: 'math'; expression: Expression[]; operator: string }

export type Directive =
  | { type: 'set'; equal: [ReferenceNode, Expression]; pos?: Position }
  | { type: 'if' | 'elseif'; condition: Expression; pos?: Position }
  | { type: 'else'; pos?: Position }
  | { type: 'foreach'; to: string; from: Expression; pos?: Position }
  | { type: 'define'; id: string; pos?: Position }
  | { type: 'macro'; id: string; args?: ReferenceNode[] | false; pos?: Position }
  | { type: 'macro_call'; id: string; args?: Expression[] | false; pos?: Position }
  | { type: 'break'; pos?: Position }
  | { type: 'comment'; value: string }

/** A text run, a directive or reference, or a block (its first element is the opening directive). */
export type AstNode = string | ReferenceNode | Directive | AstNode[]
