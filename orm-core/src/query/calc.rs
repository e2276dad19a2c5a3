//! Computed values: arithmetic between columns and values, and the scalar
//! functions every backend has. `Counter::N + 1` is a [`Calc<Counter, i64>`]:
//! it filters, orders, selects and updates like a column of that type.

use std::marker::PhantomData;
use std::ops::{Add, Div, Mul, Sub};

use super::ast::{BinOp, Node, ScalarFn};
use super::expr::{Column, Contains, ExprNode, ProjectionList, Selection, TypedExpr};
use crate::row::FromRow;
use crate::types::{FieldType, Numeric, Operand, Optional, Textual};

/// A value computed from columns of `M`, of Rust type `T`: `Book::PRICE * 2`,
/// `User::NAME.lower()`, `Loan::RETURNED_AT.coalesce(..)`.
///
/// ```
/// use ormlet_core::{Backend, prelude::*};
/// # use ormlet_core::doc_models::User;
/// let q = User::find().filter((User::ID * 2 + 1).gt(7)).order_by(User::NAME.lower().asc());
/// assert_eq!(
///     q.to_sql(Backend::Sqlite).0,
///     r#"SELECT "users"."id", "users"."email", "users"."name", "users"."age" FROM "users" WHERE ("users"."id" * ?) + ? > ? ORDER BY LOWER("users"."name") ASC"#
/// );
/// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"WHERE ("users"."id" * $1) + $2 > $3 ORDER BY LOWER("users"."name") ASC"#));
/// assert!(q.to_sql(Backend::MySql).0.ends_with("WHERE (`users`.`id` * ?) + ? > ? ORDER BY LOWER(`users`.`name`) ASC"));
/// ```
pub struct Calc<M, T> {
    pub(crate) node: Node,
    _type: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Calc<M, T> {
    fn clone(&self) -> Self {
        Calc::new(self.node.clone())
    }
}

impl<M, T> std::fmt::Debug for Calc<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.node.fmt(f)
    }
}

impl<M, T> Calc<M, T> {
    pub(crate) fn new(node: Node) -> Self {
        Calc { node, _type: PhantomData }
    }

    fn func(f: ScalarFn, args: Vec<Node>) -> Self {
        Calc::new(Node::Func(f, args))
    }
}

impl<M, T> TypedExpr<M, T> for Calc<M, T> {
    fn into_node(self) -> ExprNode {
        ExprNode(self.node)
    }
}

impl<S, M, T, I> Selection<S, I> for Calc<M, T>
where
    S: Contains<M, I>,
    T: FromRow,
{
    type Row = T;
    fn project(self, out: &mut ProjectionList) {
        out.0.push(super::ast::Projection::Expr(self.node));
    }
}

/// Markers telling apart the two kinds of [`Term`]; never named by users.
#[doc(hidden)]
pub mod term_kind {
    /// A Rust value, bound as a parameter.
    pub struct Bound;
    /// A column or a computed value of the model.
    pub struct Computed;
}

/// What may stand for a `T` in an expression over `M`: a Rust value (bound,
/// never spliced into the SQL), a column of `M`, or a [`Calc`] over `M`.
/// `K` is inferred; never name it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot stand for a value of type `{T}` in an expression over `{M}`",
    label = "expected a `{T}`, or a column or computed value of `{M}` of that type",
    note = "the two sides of a comparison or an assignment must have the same Rust type, and columns must be of the same model"
)]
pub trait Term<M, T, K> {
    #[doc(hidden)]
    fn into_term(self) -> ExprNode;
}

impl<M, T, V: Operand<T>> Term<M, T, term_kind::Bound> for V {
    fn into_term(self) -> ExprNode {
        ExprNode(Node::Value(self.into_value()))
    }
}

impl<M, T: FieldType> Term<M, T, term_kind::Computed> for Column<M, T> {
    fn into_term(self) -> ExprNode {
        ExprNode(self.node())
    }
}

impl<M, T> Term<M, T, term_kind::Computed> for Calc<M, T> {
    fn into_term(self) -> ExprNode {
        ExprNode(self.node)
    }
}

fn binary<M, T>(l: Node, op: BinOp, r: Node) -> Calc<M, T> {
    Calc::new(Node::binary(l, op, r))
}

/// `/` between integers truncates on every backend; between floats it does not.
fn division<T: Numeric>() -> BinOp {
    if T::INTEGRAL { BinOp::IntDiv } else { BinOp::Div }
}

macro_rules! arithmetic_op {
    ($lhs:ty, $t:ty, $v:ty, $trait:ident, $method:ident, $op:expr) => {
        impl<M> $trait<$v> for $lhs {
            type Output = Calc<M, $t>;
            fn $method(self, rhs: $v) -> Calc<M, $t> {
                binary(TypedExpr::<M, $t>::into_node(self).0, $op, Node::Value(Operand::<$t>::into_value(rhs)))
            }
        }
        impl<M> $trait<Column<M, $t>> for $lhs {
            type Output = Calc<M, $t>;
            fn $method(self, rhs: Column<M, $t>) -> Calc<M, $t> {
                binary(TypedExpr::<M, $t>::into_node(self).0, $op, rhs.node())
            }
        }
        impl<M> $trait<Calc<M, $t>> for $lhs {
            type Output = Calc<M, $t>;
            fn $method(self, rhs: Calc<M, $t>) -> Calc<M, $t> {
                binary(TypedExpr::<M, $t>::into_node(self).0, $op, rhs.node)
            }
        }
    };
}

macro_rules! arithmetic_lhs {
    ($lhs:ty, $t:ty, $v:ty) => {
        arithmetic_op!($lhs, $t, $v, Add, add, BinOp::Add);
        arithmetic_op!($lhs, $t, $v, Sub, sub, BinOp::Sub);
        arithmetic_op!($lhs, $t, $v, Mul, mul, BinOp::Mul);
        arithmetic_op!($lhs, $t, $v, Div, div, division::<$t>());
    };
}

macro_rules! arithmetic {
    ($($t:ty),*) => {$(
        arithmetic_lhs!(Column<M, $t>, $t, $t);
        arithmetic_lhs!(Calc<M, $t>, $t, $t);
        arithmetic_lhs!(Column<M, Option<$t>>, Option<$t>, $t);
        arithmetic_lhs!(Calc<M, Option<$t>>, Option<$t>, $t);
    )*};
}

arithmetic!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

/// Scalar functions of a typed expression; in scope through the prelude.
pub trait Functions<M, T>: TypedExpr<M, T> {
    /// `LOWER(self)`.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, select_sql};
    /// let [sqlite, postgres, mysql] = select_sql(User::NAME.lower());
    /// assert_eq!(sqlite, r#"LOWER("users"."name")"#);
    /// assert_eq!(postgres, r#"LOWER("users"."name")"#);
    /// assert_eq!(mysql, "LOWER(`users`.`name`)");
    /// ```
    fn lower(self) -> Calc<M, T>
    where
        T: Textual,
    {
        Calc::func(ScalarFn::Lower, vec![self.into_node().0])
    }

    /// `UPPER(self)`.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, select_sql};
    /// let [sqlite, postgres, mysql] = select_sql(User::NAME.upper());
    /// assert_eq!(sqlite, r#"UPPER("users"."name")"#);
    /// assert_eq!(postgres, r#"UPPER("users"."name")"#);
    /// assert_eq!(mysql, "UPPER(`users`.`name`)");
    /// ```
    fn upper(self) -> Calc<M, T>
    where
        T: Textual,
    {
        Calc::func(ScalarFn::Upper, vec![self.into_node().0])
    }

    /// The number of characters (not bytes) of the text, on every backend
    /// (`LENGTH` on SQLite, `CHAR_LENGTH` on the servers).
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, select_sql};
    /// let [sqlite, postgres, mysql] = select_sql(User::NAME.length());
    /// assert_eq!(sqlite, r#"LENGTH("users"."name")"#);
    /// assert_eq!(postgres, r#"CHAR_LENGTH("users"."name")"#);
    /// assert_eq!(mysql, "CHAR_LENGTH(`users`.`name`)");
    /// ```
    fn length(self) -> Calc<M, T::Length>
    where
        T: Textual,
    {
        Calc::func(ScalarFn::CharLength, vec![self.into_node().0])
    }

    /// `ABS(self)`.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, select_sql};
    /// let [sqlite, postgres, mysql] = select_sql(User::AGE.abs());
    /// assert_eq!(sqlite, r#"ABS("users"."age")"#);
    /// assert_eq!(postgres, r#"ABS("users"."age")"#);
    /// assert_eq!(mysql, "ABS(`users`.`age`)");
    /// ```
    fn abs(self) -> Calc<M, T>
    where
        T: Numeric,
    {
        Calc::func(ScalarFn::Abs, vec![self.into_node().0])
    }

    /// `COALESCE(self, fallback)`: the value, or `fallback` where it is NULL.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, select_sql};
    /// let [sqlite, postgres, mysql] = select_sql(User::AGE.coalesce(0));
    /// assert_eq!(sqlite, r#"COALESCE("users"."age", ?)"#);
    /// assert_eq!(postgres, r#"COALESCE("users"."age", $1)"#);
    /// assert_eq!(mysql, "COALESCE(`users`.`age`, ?)");
    /// ```
    fn coalesce<K>(self, fallback: impl Term<M, T::Inner, K>) -> Calc<M, T::Inner>
    where
        T: Optional,
    {
        Calc::func(ScalarFn::Coalesce, vec![self.into_node().0, fallback.into_term().0])
    }
}

impl<M, T, E: TypedExpr<M, T>> Functions<M, T> for E {}

/// The database's current date and time (`CURRENT_TIMESTAMP`), in the
/// session's time zone (UTC unless the server or session says otherwise).
///
/// ```
/// use ormlet_core::{Backend, prelude::*};
/// # use ormlet_core::doc_models::User;
/// let q = User::find().filter(ormlet_core::now().gt(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH));
/// let sql = q.to_sql(Backend::Postgres).0;
/// assert!(sql.ends_with("WHERE CURRENT_TIMESTAMP > $1"), "{sql}");
/// ```
#[cfg(feature = "chrono")]
pub fn now<M>() -> Calc<M, chrono::DateTime<chrono::Utc>> {
    Calc::new(Node::Func(ScalarFn::CurrentTimestamp, Vec::new()))
}
