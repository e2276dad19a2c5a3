//! The API's routes, one module per resource.

pub mod articles;
pub mod comments;
pub mod profiles;
pub mod tags;
pub mod users;
