use ormlet::prelude::*;

#[derive(Model)]
enum User {
    Admin,
}

fn main() {}
