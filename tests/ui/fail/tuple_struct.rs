use ormlet::prelude::*;

#[derive(Model)]
struct User(i64, String);

fn main() {}
