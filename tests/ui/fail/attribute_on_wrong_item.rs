use ormlet::prelude::*;

#[derive(Model)]
#[ormlet(primary_key)]
struct User {
    #[ormlet(primary_key, table = "users")]
    id: i64,
}

fn main() {}
