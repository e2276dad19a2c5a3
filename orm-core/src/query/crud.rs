//! Row-level reads and writes on a model: `get`, `insert`, `insert_many`,
//! `update`, `delete`, `upsert`, and the entry points of the builders.
//!
//! Their SQL has a fixed shape per model, so it is rendered once per model and
//! backend (the `ModelSql` cache the derive places in a `static`).

use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;

use sea_query::{Expr, ExprTrait, Query};

use super::expr::{Assignment, Column, Expr as TypedCondition};
use super::render::build_fixed;
use super::select::Select;
use super::write::{DeleteWhere, UpdateWhere};
use crate::backend::Backend;
use crate::connection::{Bind, Connection, Stmt};
use crate::error::{Error, Result};
use crate::events::Operation;
use crate::executor::{Executor, Job};
use crate::model::{Binder, Key, Model, ModelMeta, ModelStatement};
use crate::transaction::Tx;
use crate::types::FieldType;

/// The query methods of every [`Model`]: `User::find()`, `User::get(&db, 1)`,
/// `user.insert(&db)`, ... Implemented for all models; in the prelude.
pub trait ModelExt: Model {
    /// A SELECT of all rows, to refine with `filter`, `order_by`, `limit`...
    fn find() -> Select<Self, Self> {
        Select::of()
    }

    /// The row with this primary key, or [`Error::NotFound`].
    #[track_caller]
    fn get<E: Executor>(db: &E, key: Self::Key) -> E::Output<'_, Get<Self>> {
        db.run(Get { key, loc: Location::caller() })
    }

    /// Inserts this row. A generated (`Auto`) key is stored back into the
    /// field; either way the row's key is returned.
    #[track_caller]
    fn insert<'a, E: Executor>(&'a mut self, db: &'a E) -> E::Output<'a, Insert<'a, Self>> {
        db.run(Insert { row: self, loc: Location::caller() })
    }

    /// Inserts many rows with multi-row INSERTs, chunked under the backend's
    /// bound-parameter limit; more than one chunk runs in a transaction, so
    /// either all rows are inserted or none. Gives the number inserted.
    /// Generated keys are not read back; use `insert` for that.
    #[track_caller]
    fn insert_many<'a, E: Executor>(db: &'a E, rows: &'a [Self]) -> E::Output<'a, InsertMany<'a, Self>> {
        db.run(InsertMany { rows, loc: Location::caller() })
    }

    /// Writes every non-key column of this row, by key; [`Error::NotFound`]
    /// if no row has the key.
    #[track_caller]
    fn update<'a, E: Executor>(&'a self, db: &'a E) -> E::Output<'a, UpdateRow<'a, Self>> {
        db.run(UpdateRow { row: self, loc: Location::caller() })
    }

    /// Deletes this row, by key; [`Error::NotFound`] if no row has the key.
    #[track_caller]
    fn delete<'a, E: Executor>(&'a self, db: &'a E) -> E::Output<'a, DeleteRow<'a, Self>> {
        db.run(DeleteRow { row: self, loc: Location::caller() })
    }

    /// Inserts this row, or on a conflict on `on`'s columns updates (or keeps)
    /// the existing one. A generated key is stored back: the new row's, or
    /// the existing row's on a conflict, so `upsert(.., on.do_nothing())` is
    /// "get or create" (a second query reads the kept row's key where the
    /// backend's `RETURNING` gives none; MySQL's `LAST_INSERT_ID` gives it).
    #[track_caller]
    fn upsert<'a, E: Executor>(&'a mut self, db: &'a E, on: OnConflict<Self>) -> E::Output<'a, Upsert<'a, Self>> {
        db.run(Upsert { row: self, on, loc: Location::caller() })
    }

    /// [`upsert`](ModelExt::upsert) for many rows, with multi-row statements
    /// chunked as [`insert_many`](ModelExt::insert_many)'s: each row is
    /// inserted, or on a conflict on `on`'s columns updates (or keeps) the
    /// existing one. Gives what the backend counts as rows affected;
    /// generated keys are not read back. No two rows may share a conflict
    /// key (PostgreSQL refuses to update a row twice in one statement).
    ///
    /// ```
    /// use ormlet_core::{OnConflict, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// # let db = ormlet_core::sqlite::Db::connect("sqlite::memory:")?;
    /// # db.create_table::<User>()?;
    /// let rows: Vec<User> = ["a@x.io", "b@x.io"]
    ///     .map(|e| User { id: Auto::new(), email: e.into(), name: "N".into(), age: None })
    ///     .into();
    /// User::upsert_many(&db, &rows, OnConflict::columns(User::EMAIL).do_nothing())?;
    /// User::upsert_many(&db, &rows, OnConflict::columns(User::EMAIL).do_nothing())?; // kept, not doubled
    /// assert_eq!(User::find().count(&db)?, 2);
    /// # Ok::<(), ormlet_core::Error>(())
    /// ```
    #[track_caller]
    fn upsert_many<'a, E: Executor>(
        db: &'a E,
        rows: &'a [Self],
        on: OnConflict<Self>,
    ) -> E::Output<'a, UpsertMany<'a, Self>> {
        db.run(UpsertMany { rows, on, loc: Location::caller() })
    }

    /// An UPDATE of every row matching `filter`.
    fn update_where(
        filter: TypedCondition<Self>,
        sets: impl IntoIterator<Item = Assignment<Self>>,
    ) -> UpdateWhere<Self> {
        UpdateWhere::new(Some(filter), sets)
    }

    /// A DELETE of every row matching `filter`.
    fn delete_where(filter: TypedCondition<Self>) -> DeleteWhere<Self> {
        DeleteWhere::new(Some(filter))
    }
}

impl<M: Model> ModelExt for M {}

fn insert_columns(meta: &ModelMeta) -> impl Iterator<Item = &'static str> + '_ {
    meta.columns.iter().filter(|c| !c.auto_increment).map(|c| c.name)
}

fn key_filter(meta: &ModelMeta) -> Vec<Expr> {
    meta.primary_key().map(|c| Expr::col((meta.table, c.name)).eq(0i64)).collect()
}

fn insert_sql(meta: &ModelMeta, rows: usize, backend: Backend) -> String {
    let mut q = Query::insert();
    // PostgreSQL hands the generated key back with RETURNING (no last-insert-id there).
    if rows == 1
        && backend.dialect().returns_generated_key()
        && let Some(auto) = meta.auto_column()
    {
        q.returning_col(auto.name);
    }
    q.into_table(meta.table);
    let columns: Vec<&str> = insert_columns(meta).collect();
    if columns.is_empty() {
        q.or_default_values();
    } else {
        q.columns(columns.iter().copied());
        for _ in 0..rows {
            q.values_panic(columns.iter().map(|_| Expr::val(0i64)));
        }
    }
    backend.build(&q).0
}

fn model_sql<M: Model>(statement: ModelStatement, backend: Backend) -> &'static Arc<str> {
    M::__sql_cache().get_or_build(statement, backend, || {
        let meta = M::meta();
        match statement {
            ModelStatement::Get => {
                let mut q = Query::select();
                for c in meta.columns {
                    q.column((meta.table, c.name));
                }
                q.from(meta.table);
                for f in key_filter(meta) {
                    q.and_where(f);
                }
                backend.build(&q).0
            }
            ModelStatement::Insert => insert_sql(meta, 1, backend),
            ModelStatement::Update => {
                let mut q = Query::update();
                q.table(meta.table);
                for c in meta.columns.iter().filter(|c| !c.primary_key) {
                    q.value(c.name, Expr::val(0i64));
                }
                for f in key_filter(meta) {
                    q.and_where(f);
                }
                backend.build(&q).0
            }
            ModelStatement::Delete => {
                let mut q = Query::delete();
                q.from_table(meta.table);
                for f in key_filter(meta) {
                    q.and_where(f);
                }
                backend.build(&q).0
            }
        }
    })
}

fn stmt<'q>(sql: &'q Arc<str>, operation: Operation, meta: &ModelMeta, loc: &'static Location<'static>) -> Stmt<'q> {
    Stmt { sql, operation, table: Some(meta.table), loc, relation: None }
}

/// Binds a key's columns.
struct BindKey<'a, K>(&'a K);

impl<K: Key> Bind for BindKey<'_, K> {
    fn bind_to<B: Binder>(&self, b: &mut B) -> Result<()> {
        self.0.bind_key(b)
    }
}

/// Binds the columns an INSERT writes, for one row or many.
struct BindInsert<'a, M>(&'a [M]);

impl<M: Model> Bind for BindInsert<'_, M> {
    fn bind_to<B: Binder>(&self, b: &mut B) -> Result<()> {
        self.0.iter().try_for_each(|row| row.__bind_insert(b))
    }
}

/// Binds the SET list of an UPDATE by key, then the key.
struct BindUpdate<'a, M: Model>(&'a M, &'a M::Key);

impl<M: Model> Bind for BindUpdate<'_, M> {
    fn bind_to<B: Binder>(&self, b: &mut B) -> Result<()> {
        self.0.__bind_update(b)?;
        self.1.bind_key(b)
    }
}

/// Reads one generated key, when the statement returns it.
async fn returned_key<C: Connection, Bd: Bind + ?Sized>(conn: &mut C, s: Stmt<'_>, bind: &Bd) -> Result<Option<i64>> {
    let mut key = None;
    // Read to the end: one row comes back, and a server statement stopped early costs a round trip.
    conn.fetch(s, bind, |k: i64| {
        key = key.or(Some(k));
        true
    })
    .await?;
    Ok(key)
}

/// Job of [`ModelExt::get`].
#[doc(hidden)]
pub struct Get<M: Model> {
    key: M::Key,
    loc: &'static Location<'static>,
}

impl<M: Model> Job for Get<M> {
    type Out = M;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<M> {
        let meta = M::meta();
        let sql = model_sql::<M>(ModelStatement::Get, conn.backend());
        let mut found = None;
        conn.fetch(stmt(sql, Operation::Select, meta, self.loc), &BindKey(&self.key), |m: M| {
            found = Some(m);
            false
        })
        .await?;
        found.ok_or_else(|| Error::not_found::<M>(Some(&self.key)))
    }
}

/// Job of [`ModelExt::insert`].
#[doc(hidden)]
pub struct Insert<'a, M> {
    row: &'a mut M,
    loc: &'static Location<'static>,
}

impl<M: Model> Job for Insert<'_, M> {
    type Out = M::Key;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<M::Key> {
        let meta = M::meta();
        let backend = conn.backend();
        let sql = model_sql::<M>(ModelStatement::Insert, backend);
        let s = stmt(sql, Operation::Insert, meta, self.loc);
        let bind = BindInsert(std::slice::from_ref(&*self.row));
        if meta.auto_column().is_none() {
            conn.execute(s, &bind).await?;
        } else if backend.dialect().returns_generated_key() {
            let key = returned_key(conn, s, &bind).await?;
            let key = key.ok_or(Error::NotFound { model: meta.name, key: Some("the generated key".into()) })?;
            self.row.__set_generated_key(key)?;
        } else {
            conn.execute(s, &bind).await?;
            self.row.__set_generated_key(conn.last_insert_id())?;
        }
        self.row.__key("insert")
    }
}

/// Job of [`ModelExt::insert_many`].
#[doc(hidden)]
pub struct InsertMany<'a, M> {
    rows: &'a [M],
    loc: &'static Location<'static>,
}

/// Rows per multi-row INSERT at most: larger statements prepare slower
/// without inserting faster.
const MAX_ROWS_PER_INSERT: usize = 500;

impl<M: Model> Job for InsertMany<'_, M> {
    type Out = u64;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<u64> {
        let meta = M::meta();
        let columns = insert_columns(meta).count();
        if self.rows.is_empty() {
            return Ok(0);
        }
        // A model with only a generated key inserts `DEFAULT VALUES`, one row each.
        let per_chunk = conn.max_params().checked_div(columns).map_or(1, |n| n.clamp(1, MAX_ROWS_PER_INSERT));
        let (rows, loc) = (self.rows, self.loc);
        if rows.len() <= per_chunk {
            return insert_chunk(conn, meta, rows, loc).await;
        }
        Tx::run(conn, loc, async |conn: &mut C| {
            let mut n = 0;
            for chunk in rows.chunks(per_chunk) {
                n += insert_chunk(conn, meta, chunk, loc).await?;
            }
            Ok(n)
        })
        .await
    }
}

/// Job of [`ModelExt::upsert_many`].
#[doc(hidden)]
pub struct UpsertMany<'a, M> {
    rows: &'a [M],
    on: OnConflict<M>,
    loc: &'static Location<'static>,
}

impl<M: Model> Job for UpsertMany<'_, M> {
    type Out = u64;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<u64> {
        let meta = M::meta();
        if self.rows.is_empty() {
            return Ok(0);
        }
        let columns = insert_columns(meta).count().max(1);
        let per_chunk = (conn.max_params() / columns).clamp(1, MAX_ROWS_PER_INSERT);
        let (rows, on, loc) = (self.rows, &self.on, self.loc);
        let one = async |conn: &mut C, chunk: &[M]| {
            let backend = conn.backend();
            let mut key = on.shape(meta);
            key.extend([b'N' as usize, chunk.len()]);
            let sql = build_fixed(&key, backend, || on.sql(meta, chunk.len(), false, backend));
            conn.execute(stmt(&sql, Operation::Insert, meta, loc), &BindInsert(chunk)).await
        };
        if rows.len() <= per_chunk {
            return one(conn, rows).await;
        }
        Tx::run(conn, loc, async |conn: &mut C| {
            let mut n = 0;
            for chunk in rows.chunks(per_chunk) {
                n += one(conn, chunk).await?;
            }
            Ok(n)
        })
        .await
    }
}

/// One multi-row INSERT.
async fn insert_chunk<C: Connection, M: Model>(
    conn: &mut C,
    meta: &'static ModelMeta,
    chunk: &[M],
    loc: &'static Location<'static>,
) -> Result<u64> {
    let backend = conn.backend();
    let key = [b'M' as usize, std::ptr::from_ref(meta) as usize, chunk.len()];
    let sql = build_fixed(&key, backend, || insert_sql(meta, chunk.len(), backend));
    conn.execute(stmt(&sql, Operation::Insert, meta, loc), &BindInsert(chunk)).await
}

/// Job of [`ModelExt::update`].
#[doc(hidden)]
pub struct UpdateRow<'a, M> {
    row: &'a M,
    loc: &'static Location<'static>,
}

impl<M: Model> Job for UpdateRow<'_, M> {
    type Out = ();
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        let meta = M::meta();
        let key = self.row.__key("update")?;
        let sql = model_sql::<M>(ModelStatement::Update, conn.backend());
        let n = conn.execute(stmt(sql, Operation::Update, meta, self.loc), &BindUpdate(self.row, &key)).await?;
        if n == 0 { Err(Error::not_found::<M>(Some(&key))) } else { Ok(()) }
    }
}

/// Job of [`ModelExt::delete`].
#[doc(hidden)]
pub struct DeleteRow<'a, M> {
    row: &'a M,
    loc: &'static Location<'static>,
}

impl<M: Model> Job for DeleteRow<'_, M> {
    type Out = ();
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        let meta = M::meta();
        let key = self.row.__key("delete")?;
        let sql = model_sql::<M>(ModelStatement::Delete, conn.backend());
        let n = conn.execute(stmt(sql, Operation::Delete, meta, self.loc), &BindKey(&key)).await?;
        if n == 0 { Err(Error::not_found::<M>(Some(&key))) } else { Ok(()) }
    }
}

/// Columns of the model `M`: one [`Column`], or a tuple of them.
pub trait Columns<M> {
    #[doc(hidden)]
    fn names(self, out: &mut Vec<&'static str>);
}

impl<M, T> Columns<M> for Column<M, T> {
    fn names(self, out: &mut Vec<&'static str>) {
        out.push(self.name());
    }
}

macro_rules! tuple_columns {
    ($($t:ident),+) => {
        impl<M, $($t: Columns<M>),+> Columns<M> for ($($t,)+) {
            #[allow(non_snake_case)]
            fn names(self, out: &mut Vec<&'static str>) {
                let ($($t,)+) = self;
                $($t.names(out);)+
            }
        }
    };
}
tuple_columns!(A);
tuple_columns!(A, B);
tuple_columns!(A, B, C);
tuple_columns!(A, B, C, D);
tuple_columns!(A, B, C, D, E);
tuple_columns!(A, B, C, D, E, F);

/// What an upsert does when the insert conflicts on `target` (a unique key).
///
/// ```
/// use ormlet_core::OnConflict;
/// # use ormlet_core::doc_models::User;
/// // Update name and age of the existing row with the same email:
/// let on = OnConflict::columns(User::EMAIL).update((User::NAME, User::AGE));
/// // Keep the existing row untouched:
/// let keep = OnConflict::columns(User::EMAIL).do_nothing();
/// ```
pub struct OnConflict<M> {
    target: Vec<&'static str>,
    update: Option<Vec<&'static str>>,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> OnConflict<M> {
    /// Conflicts on these columns (a unique index or the key). By default the
    /// other non-key columns are updated from the new row.
    ///
    /// ```
    /// use ormlet_core::{Backend, OnConflict};
    /// # use ormlet_core::doc_models::User;
    /// let on = OnConflict::<User>::columns(User::EMAIL);
    /// let set = r#"ON CONFLICT ("email") DO UPDATE SET "name" = "excluded"."name", "age" = "excluded"."age" RETURNING "id""#;
    /// assert!(on.to_sql(Backend::Sqlite).ends_with(set));
    /// assert!(on.to_sql(Backend::Postgres).ends_with(set));
    /// let set = "ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `age` = VALUES(`age`), `id` = LAST_INSERT_ID(`id`)";
    /// assert!(on.to_sql(Backend::MySql).ends_with(set));
    /// ```
    pub fn columns(target: impl Columns<M>) -> Self {
        let mut cols = Vec::new();
        target.names(&mut cols);
        let update =
            M::meta().columns.iter().filter(|c| !c.primary_key && !cols.contains(&c.name)).map(|c| c.name).collect();
        OnConflict { target: cols, update: Some(update), _model: PhantomData }
    }

    /// Update only these columns from the new row.
    ///
    /// ```
    /// use ormlet_core::{Backend, OnConflict};
    /// # use ormlet_core::doc_models::User;
    /// let on = OnConflict::columns(User::EMAIL).update(User::NAME);
    /// let set = r#"ON CONFLICT ("email") DO UPDATE SET "name" = "excluded"."name" RETURNING "id""#;
    /// assert!(on.to_sql(Backend::Sqlite).ends_with(set));
    /// assert!(on.to_sql(Backend::Postgres).ends_with(set));
    /// let set = "ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `id` = LAST_INSERT_ID(`id`)";
    /// assert!(on.to_sql(Backend::MySql).ends_with(set));
    /// ```
    pub fn update(mut self, columns: impl Columns<M>) -> Self {
        let mut cols = Vec::new();
        columns.names(&mut cols);
        self.update = Some(cols);
        self
    }

    /// Keep the existing row as it is.
    ///
    /// ```
    /// use ormlet_core::{Backend, OnConflict};
    /// # use ormlet_core::doc_models::User;
    /// let on = OnConflict::<User>::columns(User::EMAIL).do_nothing();
    /// assert!(on.to_sql(Backend::Sqlite).ends_with(r#"ON CONFLICT ("email") DO NOTHING RETURNING "id""#));
    /// assert!(on.to_sql(Backend::Postgres).starts_with(r#"INSERT INTO "users" ("email", "name", "age") VALUES ($1, $2, $3)"#));
    /// // MySQL has no DO NOTHING: the no-op update hands back the existing key.
    /// assert!(on.to_sql(Backend::MySql).ends_with("ON DUPLICATE KEY UPDATE `id` = LAST_INSERT_ID(`id`)"));
    /// ```
    pub fn do_nothing(mut self) -> Self {
        self.update = None;
        self
    }

    /// The one-row upsert statement this runs on `backend` (pure; for tests
    /// and logs). Where the backend has `RETURNING` and the model an
    /// auto-increment key, the statement returns it.
    ///
    /// ```
    /// use ormlet_core::{Backend, OnConflict};
    /// # use ormlet_core::doc_models::User;
    /// let sql = OnConflict::columns(User::EMAIL).update(User::NAME).to_sql(Backend::Postgres);
    /// assert_eq!(sql, r#"INSERT INTO "users" ("email", "name", "age") VALUES ($1, $2, $3) ON CONFLICT ("email") DO UPDATE SET "name" = "excluded"."name" RETURNING "id""#);
    /// ```
    pub fn to_sql(&self, backend: Backend) -> String {
        let meta = M::meta();
        let returning = meta.auto_column().is_some() && backend.supports_returning();
        self.sql(meta, 1, returning, backend)
    }

    fn shape(&self, meta: &'static ModelMeta) -> Vec<usize> {
        let mut key = vec![b'U' as usize, std::ptr::from_ref(meta) as usize, self.target.len()];
        key.extend(self.target.iter().map(|c| c.as_ptr() as usize));
        match &self.update {
            None => key.push(usize::MAX),
            Some(cols) => key.extend(cols.iter().map(|c| c.as_ptr() as usize)),
        }
        key
    }

    fn sql(&self, meta: &ModelMeta, rows: usize, returning_key: bool, backend: Backend) -> String {
        let mut q = Query::insert();
        q.into_table(meta.table);
        let columns: Vec<&str> = insert_columns(meta).collect();
        q.columns(columns.iter().copied());
        for _ in 0..rows {
            q.values_panic(columns.iter().map(|_| Expr::val(0i64)));
        }
        let mut on = sea_query::OnConflict::columns(self.target.iter().copied());
        let keep = !matches!(&self.update, Some(cols) if !cols.is_empty());
        let has_do_nothing = backend.dialect().has_do_nothing();
        if let Some(cols) = self.update.as_ref().filter(|c| !c.is_empty()) {
            on.update_columns(cols.iter().copied());
        }
        match (has_do_nothing, meta.auto_column()) {
            (true, _) if keep => {
                on.do_nothing();
            }
            // MySQL has no DO NOTHING and no RETURNING: `id = LAST_INSERT_ID(id)`
            // changes nothing and hands back the existing row's key.
            (false, Some(auto)) => {
                let id = backend.dialect().quote_ident(auto.name);
                on.value(auto.name, Expr::cust(format!("LAST_INSERT_ID({id})")));
            }
            // Assigning a column to itself changes nothing either.
            (false, None) if keep => {
                match self.target.first() {
                    Some(col) => on.value(*col, Expr::col(*col)),
                    None => on.do_nothing(),
                };
            }
            _ => {}
        }
        q.on_conflict(on);
        if returning_key && let Some(auto) = meta.auto_column() {
            q.returning_col(auto.name);
        }
        backend.build(&q).0
    }
}

/// Job of [`ModelExt::upsert`].
#[doc(hidden)]
pub struct Upsert<'a, M> {
    row: &'a mut M,
    on: OnConflict<M>,
    loc: &'static Location<'static>,
}

impl<M: Model> Job for Upsert<'_, M> {
    type Out = ();
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        let meta = M::meta();
        let backend = conn.backend();
        let auto = meta.auto_column().is_some();
        let returning = auto && backend.supports_returning();
        let sql = build_fixed(&self.on.shape(meta), backend, || self.on.sql(meta, 1, returning, backend));
        let s = stmt(&sql, Operation::Insert, meta, self.loc);
        let bind = BindInsert(std::slice::from_ref(&*self.row));
        if returning {
            match returned_key(conn, s, &bind).await? {
                Some(k) => self.row.__set_generated_key(k)?,
                // The conflict kept the existing row, which returns nothing:
                // read its key by the conflicting columns.
                None => {
                    if let Some(k) = existing_key(conn, &*self.row, &self.on.target, self.loc).await? {
                        self.row.__set_generated_key(k)?;
                    }
                }
            }
        } else {
            conn.execute(s, &bind).await?;
            // The statement sets LAST_INSERT_ID to the new row's key, or to
            // the existing row's on a conflict (see `OnConflict::sql`).
            if auto {
                self.row.__set_generated_key(conn.last_insert_id())?;
            }
        }
        Ok(())
    }
}

/// The generated key of the row whose `columns` hold `row`'s values.
async fn existing_key<C: Connection, M: Model>(
    conn: &mut C,
    row: &M,
    columns: &[&'static str],
    loc: &'static Location<'static>,
) -> Result<Option<i64>> {
    let meta = M::meta();
    let Some(auto) = meta.auto_column() else { return Ok(None) };
    let backend = conn.backend();
    let mut shape = vec![b'K' as usize, std::ptr::from_ref(meta) as usize];
    shape.extend(columns.iter().map(|c| c.as_ptr() as usize));
    let sql = build_fixed(&shape, backend, || {
        let mut q = Query::select();
        q.column(auto.name).from(meta.table);
        // In insert-column order: the order the row binds them in.
        for c in insert_columns(meta).filter(|c| columns.contains(c)) {
            q.and_where(Expr::col(c).eq(Expr::val(0i64)));
        }
        backend.build(&q).0
    });
    returned_key(conn, stmt(&sql, Operation::Select, meta, loc), &BindOnly { row, columns }).await
}

/// Binds the insert values of `row`'s `columns` only.
struct BindOnly<'a, M> {
    row: &'a M,
    columns: &'a [&'static str],
}

impl<M: Model> Bind for BindOnly<'_, M> {
    fn bind_to<B: Binder>(&self, b: &mut B) -> Result<()> {
        self.row.__bind_insert(&mut Only { inner: b, columns: self.columns, index: 0 })
    }
}

/// A binder passing on the values of some columns only.
struct Only<'b, B> {
    inner: &'b mut B,
    columns: &'b [&'static str],
    index: usize,
}

impl<B: Binder> Binder for Only<'_, B> {
    fn bind<T: FieldType>(&mut self, value: &T, column: &'static str) -> Result<()> {
        if !self.columns.contains(&column) {
            return Ok(());
        }
        self.index += 1;
        self.inner.bind(value, column)
    }

    fn bind_value(&mut self, value: &sea_query::Value, _index: usize) -> Result<()> {
        self.index += 1;
        self.inner.bind_value(value, self.index - 1)
    }

    #[cfg(feature = "json")]
    fn bind_json<T: serde::Serialize>(&mut self, value: &T, column: &'static str) -> Result<()> {
        if !self.columns.contains(&column) {
            return Ok(());
        }
        self.index += 1;
        self.inner.bind_json(value, column)
    }
}
