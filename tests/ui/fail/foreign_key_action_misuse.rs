use ormlet::prelude::*;

#[derive(Model, Clone)]
struct Shelf {
    #[ormlet(primary_key)]
    id: Auto<i64>,
}

#[derive(Model, Clone)]
struct Book {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    // NULL cannot go into a NOT NULL key.
    #[ormlet(belongs_to = Shelf, on_delete = "set_null")]
    shelf_id: i64,
    // No foreign key to act on.
    #[ormlet(on_delete = "cascade")]
    copies: i32,
    // Not an action.
    #[ormlet(belongs_to = Shelf, relation = "spare", on_update = "explode")]
    spare_shelf_id: Option<i64>,
    // No default to set.
    #[ormlet(belongs_to = Shelf, relation = "fallback", on_delete = "set_default")]
    fallback_shelf_id: i64,
}

fn main() {}
