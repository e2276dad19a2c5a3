use ormlet::prelude::*;

#[derive(Model)]
struct User {
    #[ormlet(primary_key)]
    id: i64,
    #[ormlet(default = 1.5)]
    name: String,
    #[ormlet(default = "seven")]
    level: i32,
}

fn main() {}
