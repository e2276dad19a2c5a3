//! The query tree the typed builder produces: small, owned, and walkable in
//! one fixed order, so that its *shape* (everything but the values) can key a
//! cache of rendered SQL.

use sea_query::Value;

use crate::model::ModelMeta;

/// An expression node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Column {
        table: &'static str,
        name: &'static str,
    },
    Value(Value),
    /// Left and right in one allocation: a query builds one per
    /// comparison, and allocating is most of what building costs.
    Binary(Box<[Node; 2]>, BinOp),
    Not(Box<Node>),
    IsNull {
        expr: Box<Node>,
        negated: bool,
    },
    In {
        expr: Box<Node>,
        values: Vec<Value>,
        negated: bool,
    },
    /// Boxed whole: its two values would double the size of every node.
    Between(Box<Between>),
    /// `None` argument means `COUNT(*)`.
    Aggregate(AggFn, Option<Box<Node>>),
    InSubquery {
        expr: Box<Node>,
        query: Box<SelectAst>,
        negated: bool,
    },
    Exists {
        query: Box<SelectAst>,
        negated: bool,
    },
    /// A scalar subquery: `(SELECT COUNT(*) FROM ...)`.
    Subquery(Box<SelectAst>),
    /// A scalar function of its arguments.
    Func(ScalarFn, Vec<Node>),
}

/// `expr [NOT] BETWEEN low AND high`.
#[derive(Debug, Clone)]
pub(crate) struct Between {
    pub expr: Node,
    pub low: Value,
    pub high: Value,
    pub negated: bool,
}

impl Node {
    /// `l op r`.
    #[inline]
    pub(crate) fn binary(l: Node, op: BinOp, r: Node) -> Node {
        Node::Binary(Box::new([l, r]), op)
    }
}

/// The scalar functions expressions may call; each renders as its backend spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScalarFn {
    Lower,
    Upper,
    /// Characters, not bytes, on every backend.
    CharLength,
    Abs,
    Coalesce,
    #[cfg_attr(not(feature = "chrono"), allow(dead_code))]
    CurrentTimestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    NotLike,
    /// `LIKE` with `ESCAPE '!'` (see [`LIKE_ESCAPE`]): the pattern was built
    /// by [`literal_pattern`].
    LikeLiteral,
    And,
    Or,
    /// `l = ANY(r)`, `r` one array value (PostgreSQL; relation loads).
    EqAny,
    Add,
    Sub,
    Mul,
    /// Division of non-integers.
    Div,
    /// Division of integers, truncating on every backend (MySQL's `/` would
    /// give a decimal).
    IntDiv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AggFn {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
}

/// One item of a SELECT list.
#[derive(Debug, Clone)]
pub(crate) enum Projection {
    /// All stored columns of a model, in field order.
    Model(&'static ModelMeta),
    Expr(Node),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JoinKind {
    Inner,
    Left,
}

/// `table.name`, as a join condition names a column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ColumnRef {
    pub table: &'static str,
    pub name: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct Join {
    pub kind: JoinKind,
    pub model: &'static ModelMeta,
    /// `left = right`: every join is on two columns being equal, so its
    /// condition needs no expression tree (nor its allocation).
    pub on: [ColumnRef; 2],
}

/// The character that escapes `%`, `_` and itself in the patterns of
/// `contains`, `starts_with` and `ends_with`. Not the backslash: MySQL reads
/// a backslash in a string literal as an escape, the others do not.
pub(crate) const LIKE_ESCAPE: char = '!';

/// [`LIKE_ESCAPE`] as the SQL literal after `ESCAPE`.
pub(crate) const LIKE_ESCAPE_SQL: &str = "'!'";

/// A LIKE pattern matching `text` literally, with `%` before and/or after.
pub(crate) fn literal_pattern(text: &str, any_before: bool, any_after: bool) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    if any_before {
        p.push('%');
    }
    for c in text.chars() {
        if matches!(c, '%' | '_') || c == LIKE_ESCAPE {
            p.push(LIKE_ESCAPE);
        }
        p.push(c);
    }
    if any_after {
        p.push('%');
    }
    p
}

/// Which rows a `SELECT ... FOR UPDATE` / `FOR SHARE` locks, and how it waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowLock {
    /// `FOR UPDATE` (exclusive) or `FOR SHARE`.
    pub exclusive: bool,
    /// What to do about rows another transaction holds.
    pub wait: LockWait,
}

/// How a row lock treats rows another transaction holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockWait {
    /// Wait for them (the default).
    Wait,
    /// Fail at once (`NOWAIT`).
    NoWait,
    /// Leave them out of the result (`SKIP LOCKED`): work queues.
    SkipLocked,
}

/// The LIMIT of a query with only an OFFSET: every row. The largest value
/// all three backends take (PostgreSQL's LIMIT is a BIGINT).
pub(crate) const NO_LIMIT: u64 = i64::MAX as u64;

#[derive(Debug, Clone)]
pub(crate) struct SelectAst {
    pub from: &'static ModelMeta,
    /// Empty means all columns of `from`, then of each joined model in join
    /// order (no allocation for the common cases).
    pub projection: Vec<Projection>,
    /// Inline up to one: most joined queries join once, and a list of one
    /// would be an allocation per query.
    pub joins: smallvec::SmallVec<[Join; 1]>,
    pub filter: Option<Node>,
    pub group_by: Vec<Node>,
    /// Boxed: rare, and keeping the tree small keeps the moves of a query
    /// through its builder methods cheap.
    pub having: Option<Box<Node>>,
    pub order_by: Vec<(Node, bool)>,
    /// Rendered as [`NO_LIMIT`] when only `offset` is set.
    pub limit: Option<u64>,
    pub offset: Option<u64>,
    pub distinct: bool,
    /// Rendered by the dialect after everything else; only at the top level.
    pub lock: Option<RowLock>,
}

impl SelectAst {
    #[inline]
    pub(crate) fn new(from: &'static ModelMeta) -> Self {
        SelectAst {
            from,
            projection: Vec::new(),
            joins: smallvec::SmallVec::new(),
            filter: None,
            group_by: Vec::new(),
            having: None,
            order_by: Vec::new(),
            limit: None,
            offset: None,
            distinct: false,
            lock: None,
        }
    }

    /// The models an empty projection stands for: `from`, then each joined one.
    pub(crate) fn implied_projection(&self) -> Vec<Projection> {
        std::iter::once(self.from).chain(self.joins.iter().map(|j| j.model)).map(Projection::Model).collect()
    }

    /// The projection written out, so that items can be added after what
    /// an empty one stands for.
    pub(crate) fn spelled_out_projection(&mut self) -> &mut Vec<Projection> {
        if self.projection.is_empty() {
            self.projection = self.implied_projection();
        }
        &mut self.projection
    }
}

#[derive(Debug, Clone)]
pub(crate) struct UpdateAst {
    pub table: &'static ModelMeta,
    pub sets: Vec<(&'static str, Node)>,
    pub filter: Option<Node>,
    pub returning: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct DeleteAst {
    pub table: &'static ModelMeta,
    pub filter: Option<Node>,
    pub returning: bool,
}

/// Walks a tree in the one canonical order, writing its shape to `shape` and
/// handing each value to `value`. The lowering in `render.rs` visits values
/// in this same order, which is what lets cached SQL be reused with new values.
pub(crate) struct Walker<'a, F: FnMut(&mut Value)> {
    pub shape: &'a mut Vec<u8>,
    pub value: F,
}

impl<F: FnMut(&mut Value)> Walker<'_, F> {
    fn tag(&mut self, t: u8) {
        self.shape.push(t);
    }
    fn word(&mut self, w: usize) {
        self.shape.extend_from_slice(&w.to_le_bytes());
    }
    /// A count: one byte below 255, else 255 and the whole word, so that
    /// the shape stays unambiguous and short.
    fn count(&mut self, n: usize) {
        match u8::try_from(n) {
            Ok(b) if b < u8::MAX => self.tag(b),
            _ => {
                self.tag(u8::MAX);
                self.word(n);
            }
        }
    }
    fn str(&mut self, s: &'static str) {
        // A static string's address and length identify it; equal text at
        // another address only costs a second cache entry. Short ones (all
        // names) in one write.
        match u8::try_from(s.len()) {
            Ok(len) if len < u8::MAX => {
                let mut bytes = [len; 9];
                bytes[..8].copy_from_slice(&(s.as_ptr() as usize).to_le_bytes());
                self.shape.extend_from_slice(&bytes);
            }
            _ => {
                self.word(s.as_ptr() as usize);
                self.count(s.len());
            }
        }
    }
    fn meta(&mut self, m: &'static ModelMeta) {
        self.word(std::ptr::from_ref(m) as usize);
    }
    fn val(&mut self, v: &mut Value) {
        self.tag(b'v');
        (self.value)(v);
    }

    pub(crate) fn node(&mut self, n: &mut Node) {
        match n {
            Node::Column { table, name } => {
                self.tag(b'c');
                self.str(table);
                self.str(name);
            }
            Node::Value(v) => self.val(v),
            Node::Binary(sides, op) => {
                self.tag(b'b');
                self.tag(*op as u8);
                let [l, r] = &mut **sides;
                self.node(l);
                self.node(r);
            }
            Node::Not(e) => {
                self.tag(b'!');
                self.node(e);
            }
            Node::IsNull { expr, negated } => {
                self.tag(if *negated { b'N' } else { b'n' });
                self.node(expr);
            }
            Node::In { expr, values, negated } => {
                self.tag(if *negated { b'I' } else { b'i' });
                self.count(values.len());
                self.node(expr);
                for v in values {
                    self.val(v);
                }
            }
            Node::Between(b) => {
                self.tag(if b.negated { b'W' } else { b'w' });
                self.node(&mut b.expr);
                self.val(&mut b.low);
                self.val(&mut b.high);
            }
            Node::Aggregate(f, arg) => {
                self.tag(b'a');
                self.tag(*f as u8);
                match arg {
                    Some(a) => self.node(a),
                    None => self.tag(b'*'),
                }
            }
            Node::InSubquery { expr, query, negated } => {
                self.tag(if *negated { b'S' } else { b's' });
                self.node(expr);
                self.select(query);
            }
            Node::Exists { query, negated } => {
                self.tag(if *negated { b'E' } else { b'e' });
                self.select(query);
            }
            Node::Subquery(query) => {
                self.tag(b'q');
                self.select(query);
            }
            Node::Func(f, args) => {
                self.tag(b'F');
                self.tag(*f as u8);
                self.count(args.len());
                for a in args {
                    self.node(a);
                }
            }
        }
    }

    pub(crate) fn select(&mut self, q: &mut SelectAst) {
        self.tag(b'S');
        self.meta(q.from);
        self.tag(u8::from(q.distinct));
        self.count(q.projection.len());
        for p in &mut q.projection {
            match p {
                Projection::Model(m) => {
                    self.tag(b'm');
                    self.meta(m);
                }
                Projection::Expr(e) => self.node(e),
            }
        }
        for j in &mut q.joins {
            self.tag(if j.kind == JoinKind::Left { b'L' } else { b'J' });
            self.meta(j.model);
            for c in &j.on {
                self.str(c.table);
                self.str(c.name);
            }
        }
        if let Some(f) = &mut q.filter {
            self.tag(b'f');
            self.node(f);
        }
        for g in &mut q.group_by {
            self.tag(b'g');
            self.node(g);
        }
        if let Some(h) = q.having.as_deref_mut() {
            self.tag(b'h');
            self.node(h);
        }
        for (o, asc) in &mut q.order_by {
            self.tag(if *asc { b'<' } else { b'>' });
            self.node(o);
        }
        // LIMIT and OFFSET are bound values in sea-query, so only presence is shape.
        // An OFFSET alone has a LIMIT of "all rows": SQLite and MySQL have no
        // OFFSET without one.
        if let Some(l) = q.limit.or(q.offset.map(|_| NO_LIMIT)) {
            self.tag(b'l');
            let mut v = Value::BigUnsigned(Some(l));
            self.val(&mut v);
        }
        if let Some(o) = &mut q.offset {
            self.tag(b'o');
            let mut v = Value::BigUnsigned(Some(*o));
            self.val(&mut v);
        }
        if let Some(lock) = q.lock {
            self.tag(if lock.exclusive { b'X' } else { b'x' });
            self.tag(lock.wait as u8);
        }
        self.tag(b';');
    }

    pub(crate) fn update(&mut self, q: &mut UpdateAst) {
        self.tag(b'U');
        self.meta(q.table);
        self.tag(u8::from(q.returning));
        for (col, e) in &mut q.sets {
            self.str(col);
            self.node(e);
        }
        if let Some(f) = &mut q.filter {
            self.tag(b'f');
            self.node(f);
        }
        self.tag(b';');
    }

    pub(crate) fn delete(&mut self, q: &mut DeleteAst) {
        self.tag(b'D');
        self.meta(q.table);
        self.tag(u8::from(q.returning));
        if let Some(f) = &mut q.filter {
            self.tag(b'f');
            self.node(f);
        }
        self.tag(b';');
    }
}
