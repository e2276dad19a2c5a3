use ormlet::prelude::*;

#[derive(Model)]
struct User {
    #[ormlet(primary_key)]
    id: i64,
    name: String,
    #[ormlet(column = "name")]
    display_name: String,
}

fn main() {}
