use ormlet::prelude::*;

#[derive(Model)]
struct User {
    #[ormlet(primay_key)]
    id: i64,
}

fn main() {}
