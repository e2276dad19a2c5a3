use ormlet::prelude::*;

#[derive(Model)]
#[ormlet(index(name, emial))]
struct User {
    #[ormlet(primary_key)]
    id: i64,
    name: String,
    email: String,
}

fn main() {}
