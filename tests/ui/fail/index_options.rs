use ormlet::prelude::*;

// An option that is not one, and an empty condition.
#[derive(Model)]
#[ormlet(index(email, size = "big"))]
#[ormlet(unique(email, where = " "))]
struct User {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    email: String,
}

fn main() {}
