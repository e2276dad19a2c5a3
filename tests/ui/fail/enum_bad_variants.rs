use ormlet::prelude::*;

#[derive(Enum)]
#[ormlet(repr = "u128")]
enum Size {
    Small,
}

#[derive(Enum)]
#[ormlet(rename_all = "Title Case")]
enum Kind {
    Book(String),
    #[ormlet(rename = "book")]
    Paperback,
    #[ormlet(rename = "book")]
    Hardback,
}

#[derive(Enum)]
struct NotAnEnum {
    x: i32,
}

fn main() {}
