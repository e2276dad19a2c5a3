//! Lowering the query tree to sea-query, once per shape and backend.
//!
//! Building and rendering a sea-query statement costs more than a whole
//! single-row SQLite lookup, so rendered SQL is cached by the tree's shape.
//! On a miss the tree is lowered with *marker* values (`MARK + i` for the i-th
//! value in walk order); the values sea-query hands back name, in placeholder
//! order, which of ours goes where. On a hit, our values are laid out in that
//! order without touching sea-query at all. Each call site's last shape is
//! kept beside the cache and compared first, so a query built the same way
//! at the same line finds its SQL without hashing its shape.

use std::cell::RefCell;
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use sea_query::{Asterisk, BinOper, Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement, UnOper, Value};

use super::ast::{AggFn, BinOp, DeleteAst, JoinKind, Node, Projection, ScalarFn, SelectAst, UpdateAst, Walker};
use crate::backend::Backend;

/// SQL ready to run: text plus values in placeholder order.
#[derive(Debug, Clone)]
pub(crate) struct Built {
    pub sql: Arc<str>,
    pub values: Values,
}

/// A statement's bound values: most have one or two, kept inline.
pub(crate) type Values = smallvec::SmallVec<[Value; 2]>;

const MARK: i64 = 0x4F52_4D4C_0000_0000;
/// Cached shapes per thread; past this the cache starts over (bounded memory).
const CACHE_CAP: usize = 4096;

#[derive(Debug)]
enum Slot {
    Ours(usize),
    Fixed(Value),
}

#[derive(Debug)]
struct Rendered {
    sql: Arc<str>,
    /// `None` when sea-query's placeholder order is our walk order.
    order: Option<Box<[Slot]>>,
}

impl Rendered {
    fn new(sql: String, sea_values: Vec<Value>) -> Self {
        let slots: Vec<Slot> = sea_values
            .into_iter()
            .map(|v| match v {
                Value::BigInt(Some(x)) if x >= MARK => Slot::Ours((x - MARK) as usize),
                Value::BigUnsigned(Some(x)) if x >= MARK as u64 => Slot::Ours((x - MARK as u64) as usize),
                other => Slot::Fixed(other),
            })
            .collect();
        let identity = slots.iter().enumerate().all(|(i, s)| matches!(s, Slot::Ours(j) if *j == i));
        Rendered { sql: Arc::from(sql), order: (!identity).then(|| slots.into_boxed_slice()) }
    }

    fn apply(&self, values: Values) -> Built {
        let values = match &self.order {
            None => values,
            Some(slots) => slots
                .iter()
                .map(|s| match s {
                    Slot::Ours(i) => values.get(*i).cloned().unwrap_or(Value::Int(None)),
                    Slot::Fixed(v) => v.clone(),
                })
                .collect(),
        };
        Built { sql: self.sql.clone(), values }
    }
}

/// Call-site slots per thread (a power of two).
const SITES: usize = 256;

/// The shape a call site rendered last, and its SQL. Most call sites build
/// one shape every time, so comparing the new shape with this one finds its
/// SQL without hashing the shape and probing the cache.
struct SiteSlot {
    /// The call site's address.
    site: usize,
    shape: Vec<u8>,
    rendered: Rc<Rendered>,
}

/// One thread-local for the shape buffer and the caches: one access per query.
struct RenderCache {
    shape: Vec<u8>,
    rendered: FxHashMap<Box<[u8]>, Rc<Rendered>>,
    /// Direct-mapped by call site: a collision only costs a cache probe.
    sites: Box<[Option<SiteSlot>]>,
}

impl Default for RenderCache {
    fn default() -> Self {
        RenderCache {
            shape: Vec::new(),
            rendered: FxHashMap::default(),
            sites: std::iter::repeat_with(|| None).take(SITES).collect(),
        }
    }
}

impl RenderCache {
    fn insert(&mut self, r: Rendered) -> Rc<Rendered> {
        if self.rendered.len() >= CACHE_CAP {
            self.rendered.clear();
        }
        let r = Rc::new(r);
        self.rendered.insert(self.shape[..].into(), r.clone());
        r
    }

    /// The slot of `site`: the top bits of its address times the golden
    /// ratio (Fibonacci hashing), so that nearby call sites spread over the
    /// table.
    fn slot(site: usize) -> usize {
        (site.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (usize::BITS - SITES.trailing_zeros())) % SITES
    }

    /// What `site` rendered last, if the current shape is that one.
    fn at_site(&self, site: usize) -> Option<&Rendered> {
        match &self.sites[Self::slot(site)] {
            Some(s) if s.site == site && s.shape == self.shape => Some(&s.rendered),
            _ => None,
        }
    }

    /// The SQL of the current shape when its call site last built another
    /// (or none): from the cache, or rendered now. Out of line, as most
    /// queries find their SQL at their call site.
    #[cold]
    #[inline(never)]
    fn find_or_render<S: Lower>(&mut self, stmt: &S, backend: Backend, site: Option<usize>) -> Rc<Rendered> {
        let r = match self.rendered.get(&self.shape[..]) {
            Some(r) => r.clone(),
            None => {
                let (sql, sea_values) = stmt.render(backend);
                self.insert(Rendered::new(sql, sea_values))
            }
        };
        if let Some(site) = site {
            self.remember(site, r.clone());
        }
        r
    }

    /// Remembers that `site` rendered the current shape as `rendered`.
    fn remember(&mut self, site: usize, rendered: Rc<Rendered>) {
        match &mut self.sites[Self::slot(site)] {
            Some(s) => {
                // The slot's buffer is reused: a site whose shape varies
                // (an `IN` list of changing length) allocates nothing here.
                s.site = site;
                s.shape.clear();
                s.shape.extend_from_slice(&self.shape);
                s.rendered = rendered;
            }
            empty => *empty = Some(SiteSlot { site, shape: self.shape.clone(), rendered }),
        }
    }
}

thread_local! {
    static CACHE: RefCell<RenderCache> = RefCell::default();
}

/// A statement tree that can be walked (shape + values) and lowered.
pub(crate) trait Lower {
    fn walk<F: FnMut(&mut Value)>(&mut self, w: &mut Walker<'_, F>);
    fn render(&self, backend: Backend) -> (String, Vec<Value>);
}

/// Renders `stmt` for `backend`, from the cache when its shape was seen before.
/// The tree is taken by reference (its values are moved out): a query tree
/// is a few hundred bytes, and moving it into each call copies it.
///
/// `site` is the call site that built the tree, if any: its last shape is
/// compared first.
pub(crate) fn build<S: Lower>(stmt: &mut S, backend: Backend, site: Option<&'static Location<'static>>) -> Built {
    let mut values = Values::new();
    CACHE.with_borrow_mut(|cache| {
        cache.shape.clear();
        cache.shape.push(backend as u8);
        let mut w = Walker {
            shape: &mut cache.shape,
            value: |v: &mut Value| values.push(std::mem::replace(v, Value::Int(None))),
        };
        stmt.walk(&mut w);
        let site = site.map(|s| std::ptr::from_ref(s) as usize);
        if let Some(r) = site.and_then(|site| cache.at_site(site)) {
            return r.apply(values);
        }
        cache.find_or_render(stmt, backend, site).apply(values)
    })
}

/// Caches SQL for a statement whose shape the caller states (`key`) and whose
/// values the caller binds itself in placeholder order (inserts, upserts).
pub(crate) fn build_fixed(key: &[usize], backend: Backend, render: impl FnOnce() -> String) -> Arc<str> {
    CACHE.with_borrow_mut(|cache| {
        cache.shape.clear();
        cache.shape.push(backend as u8);
        cache.shape.push(b'X');
        for k in key {
            cache.shape.extend_from_slice(&k.to_le_bytes());
        }
        if let Some(r) = cache.rendered.get(&cache.shape[..]) {
            return r.sql.clone();
        }
        let sql: Arc<str> = Arc::from(render());
        cache.insert(Rendered { sql: sql.clone(), order: None });
        sql
    })
}

/// Lowers trees to sea-query, numbering values in walk order.
pub(crate) struct Lowering {
    next: i64,
    backend: Backend,
}

impl Lowering {
    pub(crate) fn new(backend: Backend) -> Self {
        Lowering { next: 0, backend }
    }

    fn marker(&mut self) -> i64 {
        let m = MARK + self.next;
        self.next += 1;
        m
    }

    fn value(&mut self) -> Expr {
        Expr::val(self.marker())
    }

    pub(crate) fn node(&mut self, n: &Node) -> Expr {
        match n {
            Node::Column { table, name } => Expr::col((*table, *name)),
            Node::Value(_) => self.value(),
            Node::Binary(sides, op) => {
                let l = self.node(&sides[0]);
                let mut r = self.node(&sides[1]);
                if matches!(op, BinOp::Like | BinOp::NotLike | BinOp::LikeLiteral)
                    && let Some(collation) = self.backend.dialect().case_sensitive_collation()
                {
                    // The column's collation may ignore case; LIKE must not.
                    r = Expr::cust_with_exprs(format!("? COLLATE {collation}"), [r]);
                }
                let op = match op {
                    BinOp::Eq => BinOper::Equal,
                    BinOp::Ne => BinOper::NotEqual,
                    BinOp::Lt => BinOper::SmallerThan,
                    BinOp::Le => BinOper::SmallerThanOrEqual,
                    BinOp::Gt => BinOper::GreaterThan,
                    BinOp::Ge => BinOper::GreaterThanOrEqual,
                    BinOp::Like => BinOper::Like,
                    BinOp::NotLike => BinOper::NotLike,
                    BinOp::LikeLiteral => {
                        // `pattern ESCAPE '!'` as LIKE's right side: sea-query writes it unparenthesised.
                        let escape = Expr::cust(super::ast::LIKE_ESCAPE_SQL);
                        let pattern = Expr::Binary(Box::new(r), BinOper::Escape, Box::new(escape));
                        return Expr::Binary(Box::new(l), BinOper::Like, Box::new(pattern));
                    }
                    // PostgreSQL's own (numbered) placeholders: only it has arrays.
                    BinOp::EqAny => return Expr::cust_with_exprs("$1 = ANY($2)", [l, r]),
                    BinOp::And => BinOper::And,
                    BinOp::Or => BinOper::Or,
                    BinOp::Add => BinOper::Add,
                    BinOp::Sub => BinOper::Sub,
                    BinOp::Mul => BinOper::Mul,
                    BinOp::Div => BinOper::Div,
                    BinOp::IntDiv => match self.backend.dialect().integer_division() {
                        "/" => BinOper::Div,
                        op => BinOper::Custom(op),
                    },
                };
                Expr::Binary(Box::new(l), op, Box::new(r))
            }
            Node::Not(e) => Expr::Unary(UnOper::Not, Box::new(self.node(e))),
            Node::IsNull { expr, negated } => {
                let e = self.node(expr);
                if *negated { e.is_not_null() } else { e.is_null() }
            }
            Node::In { expr, values, negated } => {
                let e = self.node(expr);
                if values.is_empty() {
                    // `x IN ()` is not valid SQL everywhere; it is simply false.
                    return Expr::cust(if *negated { "1 = 1" } else { "1 = 0" });
                }
                let vals: Vec<Expr> = values.iter().map(|_| self.value()).collect();
                if *negated { e.is_not_in(vals) } else { e.is_in(vals) }
            }
            Node::Between(b) => {
                let e = self.node(&b.expr);
                let (lo, hi) = (self.value(), self.value());
                if b.negated { e.not_between(lo, hi) } else { e.between(lo, hi) }
            }
            Node::Aggregate(f, arg) => {
                let a = match arg {
                    Some(a) => self.node(a),
                    None => Expr::col(Asterisk),
                };
                Expr::from(match f {
                    AggFn::Count => Func::count(a),
                    AggFn::CountDistinct => Func::count_distinct(a),
                    AggFn::Sum => Func::sum(a),
                    AggFn::Avg => Func::avg(a),
                    AggFn::Min => Func::min(a),
                    AggFn::Max => Func::max(a),
                })
            }
            Node::InSubquery { expr, query, negated } => {
                let e = self.node(expr);
                let q = self.select(query);
                if *negated { e.not_in_subquery(q) } else { e.in_subquery(q) }
            }
            Node::Exists { query, negated } => {
                let e = Expr::exists(self.select(query));
                if *negated { e.not() } else { e }
            }
            Node::Subquery(query) => Expr::SubQuery(None, Box::new(self.select(query).into())),
            Node::Func(f, args) => {
                let mut args: Vec<Expr> = args.iter().map(|a| self.node(a)).collect();
                let mut one = || args.pop().unwrap_or_else(|| Expr::cust("NULL"));
                Expr::from(match f {
                    ScalarFn::Lower => Func::lower(one()),
                    ScalarFn::Upper => Func::upper(one()),
                    ScalarFn::CharLength => Func::cust(self.backend.dialect().char_length()).arg(one()),
                    ScalarFn::Abs => Func::abs(one()),
                    ScalarFn::Coalesce => Func::coalesce(args),
                    ScalarFn::CurrentTimestamp => return Expr::current_timestamp(),
                })
            }
        }
    }

    pub(crate) fn select(&mut self, q: &SelectAst) -> SelectStatement {
        let mut s = Query::select();
        if q.distinct {
            s.distinct();
        }
        let implied;
        let projection = if q.projection.is_empty() {
            implied = q.implied_projection();
            &implied[..]
        } else {
            &q.projection[..]
        };
        for p in projection {
            match p {
                Projection::Model(m) => {
                    for c in m.columns {
                        s.column((m.table, c.name));
                    }
                }
                Projection::Expr(e) => {
                    let e = self.node(e);
                    s.expr(e);
                }
            }
        }
        s.from(q.from.table);
        for j in &q.joins {
            let kind = match j.kind {
                JoinKind::Inner => JoinType::InnerJoin,
                JoinKind::Left => JoinType::LeftJoin,
            };
            let [l, r] = j.on.map(|c| Node::Column { table: c.table, name: c.name });
            let on = self.node(&Node::binary(l, BinOp::Eq, r));
            s.join(kind, j.model.table, on);
        }
        if let Some(f) = &q.filter {
            let f = self.node(f);
            s.and_where(f);
        }
        for g in &q.group_by {
            let g = self.node(g);
            s.add_group_by([g]);
        }
        if let Some(h) = q.having.as_deref() {
            let h = self.node(h);
            s.and_having(h);
        }
        for (o, asc) in &q.order_by {
            let o = self.node(o);
            s.order_by_expr(o, if *asc { Order::Asc } else { Order::Desc });
        }
        if q.limit.is_some() || q.offset.is_some() {
            s.limit(self.marker() as u64);
        }
        if q.offset.is_some() {
            s.offset(self.marker() as u64);
        }
        s
    }
}

impl Lower for SelectAst {
    fn walk<F: FnMut(&mut Value)>(&mut self, w: &mut Walker<'_, F>) {
        w.select(self);
    }
    fn render(&self, backend: Backend) -> (String, Vec<Value>) {
        let s = Lowering::new(backend).select(self);
        let (mut sql, values) = backend.build(&s);
        if let Some(clause) = self.lock.and_then(|lock| backend.dialect().row_lock(lock)) {
            sql.push(' ');
            sql.push_str(&clause);
        }
        (sql, values.0)
    }
}

/// `SELECT COUNT(*) FROM (<query>)`: counting a query with LIMIT, DISTINCT or GROUP BY.
pub(crate) struct CountOf(pub SelectAst);

impl Lower for CountOf {
    fn walk<F: FnMut(&mut Value)>(&mut self, w: &mut Walker<'_, F>) {
        w.shape.push(b'#');
        w.select(&mut self.0);
    }
    fn render(&self, backend: Backend) -> (String, Vec<Value>) {
        let inner = Lowering::new(backend).select(&self.0);
        let s = Query::select().expr(Func::count(Expr::col(Asterisk))).from_subquery(inner, "ormlet_count").to_owned();
        let (sql, values) = backend.build(&s);
        (sql, values.0)
    }
}

impl Lower for UpdateAst {
    fn walk<F: FnMut(&mut Value)>(&mut self, w: &mut Walker<'_, F>) {
        w.update(self);
    }
    fn render(&self, backend: Backend) -> (String, Vec<Value>) {
        let mut l = Lowering::new(backend);
        let mut u = Query::update();
        u.table(self.table.table);
        for (col, e) in &self.sets {
            let e = l.node(e);
            u.value(*col, e);
        }
        if let Some(f) = &self.filter {
            let f = l.node(f);
            u.and_where(f);
        }
        if self.returning {
            u.returning(Query::returning().columns(self.table.columns.iter().map(|c| c.name)));
        }
        let (sql, values) = backend.build(&u);
        (sql, values.0)
    }
}

impl Lower for DeleteAst {
    fn walk<F: FnMut(&mut Value)>(&mut self, w: &mut Walker<'_, F>) {
        w.delete(self);
    }
    fn render(&self, backend: Backend) -> (String, Vec<Value>) {
        let mut l = Lowering::new(backend);
        let mut d = Query::delete();
        d.from_table(self.table.table);
        if let Some(f) = &self.filter {
            let f = l.node(f);
            d.and_where(f);
        }
        if self.returning {
            d.returning(Query::returning().columns(self.table.columns.iter().map(|c| c.name)));
        }
        let (sql, values) = backend.build(&d);
        (sql, values.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc_models::User;
    use crate::prelude::*;

    fn built(age: i32, names: &[&str]) -> Built {
        let mut q = User::find().filter(User::AGE.ge(age).and(User::NAME.is_in(names.iter().copied()))).limit(3);
        build(&mut q.ast, Backend::Postgres, None)
    }

    #[test]
    fn a_seen_shape_is_served_from_the_cache_with_the_new_values() {
        let a = built(18, &["x", "y"]);
        let b = built(40, &["z", "w"]);
        assert!(Arc::ptr_eq(&a.sql, &b.sql), "second build must reuse the rendered SQL");
        assert_eq!(b.values[..], [Value::from(40), Value::from("z"), Value::from("w"), Value::BigUnsigned(Some(3))]);
        let c = built(18, &["x"]);
        assert!(!Arc::ptr_eq(&a.sql, &c.sql), "another IN length is another shape");
    }

    #[test]
    fn a_call_site_whose_shape_changes_gets_each_shapes_sql() {
        let site = Location::caller();
        let at_site = |q: crate::Select<User, User>| build(&mut q.ast.clone(), Backend::Sqlite, Some(site));
        let by_age = at_site(User::find().filter(User::AGE.ge(18)));
        let by_name = at_site(User::find().filter(User::NAME.eq("x")));
        assert!(!Arc::ptr_eq(&by_age.sql, &by_name.sql), "another shape at the same site is another statement");
        assert!(by_name.sql.contains("\"name\" = ?"), "{}", by_name.sql);
        let again = at_site(User::find().filter(User::AGE.ge(40)));
        assert!(Arc::ptr_eq(&by_age.sql, &again.sql), "the first shape is still cached");
        assert_eq!(again.values[..], [Value::from(40)]);
        let unfiltered = build(&mut User::find().ast, Backend::Sqlite, None);
        assert!(!unfiltered.sql.contains("WHERE"), "a build without a site does not read the site's slot");
    }

    #[test]
    fn placeholders_follow_sea_querys_order_not_ours() {
        // sea-query renders the SELECT list before WHERE; walk order matches here,
        // and a permutation is learned when it would not.
        let r = Rendered::new("x".into(), vec![Value::BigInt(Some(MARK + 1)), Value::BigInt(Some(MARK))]);
        let out = r.apply(smallvec::smallvec![Value::from(1), Value::from(2)]);
        assert_eq!(out.values[..], [Value::from(2), Value::from(1)]);
        let fixed = Rendered::new("x".into(), vec![Value::Int(Some(-1)), Value::BigInt(Some(MARK))]);
        assert_eq!(fixed.apply(smallvec::smallvec![Value::from(5)]).values[..], [Value::Int(Some(-1)), Value::from(5)]);
    }
}
