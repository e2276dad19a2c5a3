//! `Authorization: Token <jwt>`: tokens name the user's id, signed with the
//! server's secret; passwords are stored as Argon2 hashes.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::AppError;

/// How long a token stays valid.
const TOKEN_DAYS: i64 = 30;

#[derive(Serialize, Deserialize)]
struct Claims {
    /// The user's id.
    sub: i64,
    exp: i64,
}

/// Signs and checks tokens. Shared, not copied: the app's state is cloned
/// for every request, and each key holds the secret on the heap.
#[derive(Clone)]
pub struct Keys(Arc<KeyPair>);

struct KeyPair {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Keys {
    /// Keys from a secret (`JWT_SECRET`).
    pub fn new(secret: &[u8]) -> Result<Self, String> {
        let bad = |e: jsonwebtoken::errors::Error| format!("unusable JWT secret: {e}");
        Ok(Keys(Arc::new(KeyPair {
            encoding: EncodingKey::from_secret(secret).map_err(bad)?,
            decoding: DecodingKey::from_secret(secret).map_err(bad)?,
        })))
    }

    /// A token for `user_id`.
    pub fn token(&self, user_id: i64) -> Result<String, AppError> {
        let exp = (chrono::Utc::now() + chrono::Duration::days(TOKEN_DAYS)).timestamp();
        jsonwebtoken::encode(&Header::default(), &Claims { sub: user_id, exp }, &self.0.encoding)
            .map_err(|e| AppError::Invalid(format!("cannot sign a token: {e}")))
    }

    fn user_id(&self, token: &str) -> Option<i64> {
        jsonwebtoken::decode::<Claims>(token, &self.0.decoding, &Validation::default()).ok().map(|d| d.claims.sub)
    }
}

/// A password's Argon2 hash, salted.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Invalid(format!("cannot hash the password: {e}")))
}

/// Whether `password` is the one `hash` was made from.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// The signed-in user's id; 401 without a valid token.
pub struct AuthUser(pub i64);

/// The signed-in user's id, if a valid token came.
pub struct MaybeUser(pub Option<i64>);

fn token_user(parts: &Parts, state: &AppState) -> Result<Option<i64>, AppError> {
    let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) else { return Ok(None) };
    let token = header.to_str().ok().and_then(|h| h.strip_prefix("Token ")).ok_or(AppError::Unauthorized)?;
    state.keys.user_id(token).map(Some).ok_or(AppError::Unauthorized)
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        token_user(parts, state)?.map(AuthUser).ok_or(AppError::Unauthorized)
    }
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        token_user(parts, state).map(MaybeUser)
    }
}
