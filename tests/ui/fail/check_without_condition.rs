use ormlet::prelude::*;

#[derive(Model)]
#[ormlet(check(copies_not_negative = ""))]
#[ormlet(check)]
struct Stock {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    copies: i64,
}

fn main() {}
