use ormlet::prelude::*;

#[derive(Model)]
struct User {
    #[ormlet(primary_key)]
    id: i64,
    #[ormlet(skip, primary_key)]
    cache: Option<String>,
}

fn main() {}
