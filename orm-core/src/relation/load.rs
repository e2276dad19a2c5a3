//! Batch loading: one `IN` query per chunk of keys, then grouping by parent.

use rustc_hash::{FxHashMap, FxHashSet};

use super::{
    BelongsTo, BelongsToField, ForeignKeyField, HasMany, LoadSite, ManyToMany, Relation, RelationKey, With, WithSites,
};
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::model::{ColumnMeta, Model, ModelMeta};
use crate::query::ast::{BinOp, ColumnRef, Join, JoinKind, Node, Projection, SelectAst};
use crate::query::jobs::Source;
use crate::row::FromRow;
use crate::types::FieldType;

type KeyOf<M> = <M as Model>::Key;

/// The single key column relations point at.
pub(crate) fn key_column(meta: &'static ModelMeta) -> Result<&'static ColumnMeta> {
    let mut keys = meta.columns.iter().filter(|c| c.primary_key);
    match (keys.next(), keys.next()) {
        (Some(k), None) => Ok(k),
        _ => Err(Error::Unsupported {
            backend: "any",
            feature: "relations need a model with a single-column primary key",
        }),
    }
}

fn column(table: &'static str, name: &'static str) -> Node {
    Node::Column { table, name }
}

/// Keys in first-seen order, each once.
fn unique<'k, K: RelationKey>(keys: impl Iterator<Item = &'k K>) -> Vec<&'k K> {
    let mut seen = FxHashSet::with_capacity_and_hasher(keys.size_hint().0, Default::default());
    keys.filter(|k| seen.insert(*k)).collect()
}

/// Runs `query(values)` for each chunk of `keys`, collecting the rows.
///
/// Chunks stay under the connection's bound-parameter limit; each is padded
/// (repeating its last key, harmless in `IN`) to a power of two, so a
/// relation has a handful of statement shapes, not one per list length.
async fn fetch_in<C: Connection, R: FromRow + Send, K: FieldType + Sync>(
    conn: &mut C,
    at: LoadSite,
    relation: crate::events::RelationLoad,
    keys: &[&K],
    query: impl Fn(KeyList) -> SelectAst,
) -> Result<Vec<R>> {
    let mut out = Vec::new();
    let chunk = conn.max_params().max(1);
    let backend = conn.backend();
    for part in keys.chunks(chunk) {
        let values: Vec<sea_query::Value> = part.iter().map(|k| k.to_value()).collect();
        let keys = match key_array(backend, values) {
            Ok(array) => KeyList::Array(array),
            Err(mut values) => {
                // A few statement texts, not one per count of keys.
                let padded = values.len().next_power_of_two().min(chunk);
                if let Some(last) = values.last().cloned() {
                    values.resize(padded, last);
                }
                KeyList::Each(values)
            }
        };
        let p = Source::Select(query(keys)).prepare(conn.backend(), at.loc, Some(relation));
        p.fetch(conn, |r| {
            out.push(r);
            true
        })
        .await?;
    }
    Ok(out)
}

/// The keys one query loads.
enum KeyList {
    /// One bound value each: `IN (?, ?, ...)`, or `= ?` for one.
    Each(Vec<sea_query::Value>),
    /// All in one bound array: `= ANY(?)` (PostgreSQL).
    Array(sea_query::Value),
}

/// On PostgreSQL, two keys or more of one kind as one array value: one
/// statement whatever their count, planned once (an `IN` list of a
/// thousand parameters is planned again at every run). Elsewhere, or for
/// keys of another kind, the keys as they are.
fn key_array(
    backend: crate::Backend,
    values: Vec<sea_query::Value>,
) -> std::result::Result<sea_query::Value, Vec<sea_query::Value>> {
    use sea_query::{ArrayType, Value};
    if backend != crate::Backend::Postgres || values.len() < 2 {
        return Err(values);
    }
    // The array's element type, for a key that can be one.
    let kind_of = |v: &Value| match v {
        Value::SmallInt(Some(_)) => Some(ArrayType::SmallInt),
        Value::Int(Some(_)) => Some(ArrayType::Int),
        Value::BigInt(Some(_)) => Some(ArrayType::BigInt),
        Value::String(Some(_)) => Some(ArrayType::String),
        _ => None,
    };
    let Some(kind) = kind_of(&values[0]).filter(|k| values.iter().all(|v| kind_of(v).as_ref() == Some(k))) else {
        return Err(values);
    };
    Ok(Value::Array(kind, Some(Box::new(values))))
}

/// `SELECT <meta's columns> FROM meta WHERE table.column IN (keys)` (or
/// `= key`, or `= ANY(keys)`).
fn select_in(meta: &'static ModelMeta, table: &'static str, col: &'static str, keys: KeyList) -> SelectAst {
    let mut q = SelectAst::new(meta);
    let key = Box::new(column(table, col));
    q.filter = Some(match keys {
        KeyList::Array(array) => Node::binary(*key, BinOp::EqAny, Node::Value(array)),
        KeyList::Each(values) => match <[_; 1]>::try_from(values) {
            // One key (a lazy load): `= ?` reads better in reports than `IN (?)`.
            Ok([value]) => Node::binary(*key, BinOp::Eq, Node::Value(value)),
            Err(values) => Node::In { expr: key, values, negated: false },
        },
    });
    q
}

/// Distributes `items` (each with the key of the parent it belongs to) to
/// the parents with that key, keeping the items' order within each parent.
///
/// Parents' keys are usually distinct, so each key maps to its first parent
/// and each parent to the next one with its key, with no list per key; each
/// parent's share is counted first, so its list is allocated once.
fn group<K: RelationKey, X: Clone>(parent_keys: &[K], items: Vec<X>, item_keys: Vec<Option<K>>) -> Vec<Vec<X>> {
    const NONE: usize = usize::MAX;
    let mut first: FxHashMap<&K, usize> = FxHashMap::with_capacity_and_hasher(parent_keys.len(), Default::default());
    let mut next = vec![NONE; parent_keys.len()];
    for (i, k) in parent_keys.iter().enumerate().rev() {
        if let Some(later) = first.insert(k, i) {
            next[i] = later;
        }
    }
    let owners: Vec<usize> =
        item_keys.iter().map(|k| k.as_ref().and_then(|k| first.get(k)).copied().unwrap_or(NONE)).collect();
    let mut counts = vec![0usize; parent_keys.len()];
    for &owner in &owners {
        let mut p = owner;
        while p != NONE {
            counts[p] += 1;
            p = next[p];
        }
    }
    let mut out: Vec<Vec<X>> = counts.into_iter().map(Vec::with_capacity).collect();
    for (item, mut p) in items.into_iter().zip(owners) {
        if p == NONE {
            continue;
        }
        while next[p] != NONE {
            out[p].push(item.clone());
            p = next[p];
        }
        out[p].push(item);
    }
    out
}

fn parent_keys<P: Model>(parents: &[P]) -> Result<Vec<KeyOf<P>>> {
    parents.iter().map(|p| p.__key("load a relation of")).collect()
}

type TargetKey<M, const F: usize> = KeyOf<<M as BelongsToField<F>>::Target>;
type FkOf<M, const F: usize> = <M as BelongsToField<F>>::Fk;

impl<M, const F: usize> Relation for BelongsTo<M, F>
where
    M: BelongsToField<F>,
    TargetKey<M, F>: RelationKey,
{
    type Parent = M;
    type Target = M::Target;
    type Data<X: Clone + Send> = <FkOf<M, F> as ForeignKeyField<TargetKey<M, F>>>::One<X>;

    fn name(&self) -> &'static str {
        M::NAME
    }

    async fn load<'a, C: Connection, N: With<M::Target>>(
        &'a self,
        conn: &'a mut C,
        at: LoadSite,
        parents: &'a [M],
        nest: &'a N,
    ) -> Result<Vec<Self::Data<N::Item>>> {
        let target = M::Target::meta();
        let pk = key_column(target)?;
        let keys = unique(parents.iter().filter_map(|p| p.fk().key()));
        let rows: Vec<M::Target> =
            fetch_in(conn, at, at.event(self), &keys, |values| select_in(target, target.table, pk.name, values))
                .await?;
        let row_keys = parent_keys(&rows)?;
        let items = nest.attach(conn, at, WithSites::All(at.with_at), rows).await?;
        let index: FxHashMap<&TargetKey<M, F>, usize> = row_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
        parents
            .iter()
            .map(|p| {
                let fk = p.fk();
                let found = fk.key().and_then(|k| index.get(k)).map(|&i| items[i].clone());
                fk.one(found, target.name)
            })
            .collect()
    }
}

impl<C, const F: usize> Relation for HasMany<C, F>
where
    C: BelongsToField<F>,
    TargetKey<C, F>: RelationKey,
{
    type Parent = C::Target;
    type Target = C;
    type Data<X: Clone + Send> = Vec<X>;

    fn name(&self) -> &'static str {
        self.name
    }

    async fn load<'a, Cn: Connection, N: With<C>>(
        &'a self,
        conn: &'a mut Cn,
        at: LoadSite,
        parents: &'a [C::Target],
        nest: &'a N,
    ) -> Result<Vec<Vec<N::Item>>> {
        let child = C::meta();
        let keys = parent_keys(parents)?;
        let wanted = unique(keys.iter());
        let rows: Vec<C> =
            fetch_in(conn, at, at.event(self), &wanted, |values| select_in(child, child.table, C::COLUMN, values))
                .await?;
        let row_parents: Vec<Option<TargetKey<C, F>>> = rows.iter().map(|c| c.fk().key().cloned()).collect();
        let items = nest.attach(conn, at, WithSites::All(at.with_at), rows).await?;
        Ok(group(&keys, items, row_parents))
    }
}

type SideOf<J, const S: usize> = <J as BelongsToField<S>>::Target;

impl<J, const P: usize, const T: usize> Relation for ManyToMany<J, P, T>
where
    J: BelongsToField<P> + BelongsToField<T>,
    TargetKey<J, P>: RelationKey,
    TargetKey<J, T>: RelationKey,
{
    type Parent = SideOf<J, P>;
    type Target = SideOf<J, T>;
    type Data<X: Clone + Send> = Vec<X>;

    fn name(&self) -> &'static str {
        self.name
    }

    async fn load<'a, C: Connection, N: With<SideOf<J, T>>>(
        &'a self,
        conn: &'a mut C,
        at: LoadSite,
        parents: &'a [SideOf<J, P>],
        nest: &'a N,
    ) -> Result<Vec<Vec<N::Item>>> {
        let target = <SideOf<J, T>>::meta();
        let join = J::meta();
        let pk = key_column(target)?;
        let to_parent = <J as BelongsToField<P>>::COLUMN;
        let to_target = <J as BelongsToField<T>>::COLUMN;
        let keys = parent_keys(parents)?;
        let wanted = unique(keys.iter());
        // SELECT target.*, join.to_parent FROM target JOIN join ON join.to_target = target.pk
        // WHERE join.to_parent IN (...): one query per chunk, targets with their parent's key.
        let rows: Vec<(SideOf<J, T>, FkOf<J, P>)> = fetch_in(conn, at, at.event(self), &wanted, |values| {
            let mut q = select_in(target, join.table, to_parent, values);
            q.projection = vec![Projection::Model(target), Projection::Expr(column(join.table, to_parent))];
            q.joins.push(Join {
                kind: JoinKind::Inner,
                model: join,
                on: [
                    ColumnRef { table: join.table, name: to_target },
                    ColumnRef { table: target.table, name: pk.name },
                ],
            });
            q
        })
        .await?;
        let (targets, owners): (Vec<_>, Vec<_>) = rows.into_iter().map(|(t, fk)| (t, fk.key().cloned())).unzip();
        let items = nest.attach(conn, at, WithSites::All(at.with_at), targets).await?;
        Ok(group(&keys, items, owners))
    }
}

#[cfg(test)]
mod tests {
    use sea_query::{ArrayType, Value};

    use super::key_array;
    use crate::Backend;

    #[test]
    fn postgres_loads_keys_of_one_kind_as_one_array() {
        let ints = || vec![Value::BigInt(Some(1)), Value::BigInt(Some(2))];
        assert!(
            matches!(key_array(Backend::Postgres, ints()), Ok(Value::Array(ArrayType::BigInt, Some(v))) if v.len() == 2)
        );
        let texts = vec![Value::String(Some("a".into())), Value::String(Some("b".into()))];
        assert!(matches!(key_array(Backend::Postgres, texts), Ok(Value::Array(ArrayType::String, _))));
        // Elsewhere, alone, mixed, NULL or of another kind: one value each.
        assert_eq!(key_array(Backend::Sqlite, ints()).unwrap_err().len(), 2);
        assert_eq!(key_array(Backend::MySql, ints()).unwrap_err().len(), 2);
        assert_eq!(key_array(Backend::Postgres, vec![Value::BigInt(Some(1))]).unwrap_err().len(), 1);
        let mixed = vec![Value::BigInt(Some(1)), Value::Int(Some(2))];
        assert_eq!(key_array(Backend::Postgres, mixed).unwrap_err().len(), 2);
        let null = vec![Value::BigInt(Some(1)), Value::BigInt(None)];
        assert_eq!(key_array(Backend::Postgres, null).unwrap_err().len(), 2);
        let floats = vec![Value::Double(Some(1.0)), Value::Double(Some(2.0))];
        assert_eq!(key_array(Backend::Postgres, floats).unwrap_err().len(), 2);
    }

    /// Items go to every parent with their key, in their order; items of
    /// no parent are dropped; each parent's list is allocated to size.
    #[test]
    fn items_go_to_every_parent_with_their_key_in_order() {
        use super::group;
        let parents = [1, 2, 1, 3];
        let items = vec!["a", "b", "c", "d", "e"];
        let keys = vec![Some(1), Some(3), None, Some(1), Some(9)];
        let out = group(&parents, items, keys);
        assert_eq!(out, [vec!["a", "d"], vec![], vec!["a", "d"], vec!["b"]]);
        assert!(out.iter().all(|v| v.capacity() == v.len()));
        assert!(group::<i64, &str>(&[], vec![], vec![]).is_empty());
    }
}
