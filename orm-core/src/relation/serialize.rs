//! Loaded rows as serde sees them (feature `serde`): the model's fields,
//! then one field per loaded relation.

use super::Relation;
use super::eager::{Include, IncludeData, Loaded, With};
use crate::events::LoadedRelations;
use crate::model::Model;

/// With the `serde` feature: the model's fields, then one field per loaded
/// relation, named after it (`Post::AUTHOR` → `"author"`), in the order of
/// the `.with(..)` calls; nested relations nest the same way.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use ormlet_core::prelude::*;
/// # use ormlet_core::doc_models::{User, Post};
/// # let db = ormlet_core::sqlite::Db::connect("sqlite::memory:").unwrap();
/// # db.create_table::<User>().unwrap(); db.create_table::<Post>().unwrap();
/// # let ann = User { id: Auto::new(), email: "a@x.io".into(), name: "Ann".into(), age: None }.insert(&db).unwrap();
/// # Post { id: Auto::new(), author_id: ann, title: "Hi".into() }.insert(&db).unwrap();
/// let posts = Post::find().with(Post::AUTHOR).all(&db).unwrap();
/// let json = serde_json::to_value(&posts[0]).unwrap();
/// assert_eq!(json["title"], "Hi");
/// assert_eq!(json["author"]["name"], "Ann");
/// # }
/// ```
impl<M, L> serde::Serialize for Loaded<M, L>
where
    M: Model + serde::Serialize,
    L: SerializeRelations<M>,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Flat<'a, M, R> {
            #[serde(flatten)]
            model: &'a M,
            #[serde(flatten)]
            relations: R,
        }
        // Serialising shows every relation: all count as read.
        self.loaded.mark_all();
        let relations = Relations::<M, L> { data: &self.data, loaded: &self.loaded };
        Flat { model: &self.model, relations }.serialize(serializer)
    }
}

/// The loaded relations as one map entry each.
struct Relations<'a, M: Model, L: With<M>> {
    data: &'a L::Data,
    loaded: &'a LoadedRelations,
}

impl<M: Model, L: SerializeRelations<M>> serde::Serialize for Relations<'_, M, L> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.loaded.relations().len()))?;
        // `data` holds the last `.with(..)` first: write them in call order.
        L::entries(self.data, self.loaded, 0, &mut map)?;
        map.end()
    }
}

/// A relation list whose loaded data serialises; implemented for every list
/// whose targets do. Never implemented by hand.
#[doc(hidden)]
pub trait SerializeRelations<M: Model>: With<M> {
    fn entries<S: serde::ser::SerializeMap>(
        data: &Self::Data,
        loaded: &LoadedRelations,
        index: usize,
        map: &mut S,
    ) -> std::result::Result<(), S::Error>;
}

impl<M: Model + Clone> SerializeRelations<M> for () {
    fn entries<S: serde::ser::SerializeMap>(
        _: &(),
        _: &LoadedRelations,
        _: usize,
        _: &mut S,
    ) -> std::result::Result<(), S::Error> {
        Ok(())
    }
}

impl<M, I, Rest> SerializeRelations<M> for (I, Rest)
where
    M: Model + Clone,
    I: Include,
    I::Rel: Relation<Parent = M>,
    Rest: SerializeRelations<M>,
    IncludeData<I>: serde::Serialize,
{
    fn entries<S: serde::ser::SerializeMap>(
        data: &Self::Data,
        loaded: &LoadedRelations,
        index: usize,
        map: &mut S,
    ) -> std::result::Result<(), S::Error> {
        // The earlier `.with(..)` calls first.
        Rest::entries(&data.1, loaded, index + 1, map)?;
        let name = loaded.relations().get(index).map_or("relation", |r| r.relation);
        map.serialize_entry(&field_name(name), &data.0)
    }
}

/// `"Post::AUTHOR"` → `"author"`: the relation's name as a field.
fn field_name(relation: &str) -> String {
    relation.rsplit("::").next().unwrap_or(relation).to_lowercase()
}
