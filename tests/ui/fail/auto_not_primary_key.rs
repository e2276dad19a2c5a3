use ormlet::prelude::*;

#[derive(Model)]
struct User {
    #[ormlet(primary_key)]
    id: i64,
    counter: Auto<i64>,
}

fn main() {}
