use ormlet::prelude::*;

#[derive(Model)]
struct User {
    id: i64,
    name: String,
}

fn main() {}
