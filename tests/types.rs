//! Every base type round-trips, NULL and extremes included (chrono, uuid
//! and JSON columns are in `feature_types.rs`).

use ormlet::prelude::*;
use ormlet::sqlite::Db;

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "everything")]
struct Everything {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    i8_: i8,
    i16_: i16,
    i32_: i32,
    i64_: i64,
    u8_: u8,
    u16_: u16,
    u32_: u32,
    u64_: u64,
    f32_: f32,
    f64_: f64,
    flag: bool,
    text: String,
    bytes: Vec<u8>,
    maybe_i64: Option<i64>,
    maybe_text: Option<String>,
    maybe_bytes: Option<Vec<u8>>,
    maybe_f64: Option<f64>,
    #[ormlet(skip)]
    cached: Option<String>,
}

fn db() -> Db {
    let db = Db::connect("sqlite::memory:").unwrap();
    db.create_table::<Everything>().unwrap();
    db
}

fn sample(i: i64) -> Everything {
    Everything {
        id: Auto::new(),
        i8_: i8::MIN,
        i16_: i16::MAX,
        i32_: i32::MIN,
        i64_: i,
        u8_: u8::MAX,
        u16_: u16::MAX,
        u32_: u32::MAX,
        u64_: i64::MAX as u64,
        f32_: f32::MIN_POSITIVE,
        f64_: -1.5e300,
        flag: true,
        text: String::new(),
        bytes: Vec::new(),
        maybe_i64: None,
        maybe_text: None,
        maybe_bytes: None,
        maybe_f64: None,
        cached: None,
    }
}

#[test]
fn every_type_round_trips_with_extremes_and_nulls() -> ormlet::Result<()> {
    let db = db();
    for i in [i64::MIN, -1, 0, 1, i64::MAX] {
        let mut row = sample(i);
        let id = row.insert(&db)?;
        assert_eq!(Everything::get(&db, id)?, row, "i64 = {i}");
    }
    let mut full = sample(7);
    full.maybe_i64 = Some(i64::MIN);
    full.maybe_text = Some("present".into());
    full.maybe_bytes = Some(vec![0, 255, 0]);
    full.maybe_f64 = Some(f64::INFINITY);
    full.f64_ = f64::NEG_INFINITY;
    full.flag = false;
    let id = full.insert(&db)?;
    assert_eq!(Everything::get(&db, id)?, full);
    Ok(())
}

#[test]
fn one_mebibyte_blob_and_text_round_trip() -> ormlet::Result<()> {
    let db = db();
    let mut row = sample(1);
    row.bytes = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    row.text = "é".repeat(1 << 19);
    let id = row.insert(&db)?;
    let back = Everything::get(&db, id)?;
    assert_eq!(back.bytes.len(), 1 << 20);
    assert_eq!(back, row);
    Ok(())
}

#[test]
fn skipped_fields_are_not_stored_and_read_back_as_default() -> ormlet::Result<()> {
    let db = db();
    let mut row = sample(1);
    row.cached = Some("not a column".into());
    let id = row.insert(&db)?;
    assert_eq!(Everything::get(&db, id)?.cached, None);
    assert!(Everything::meta().columns.iter().all(|c| c.name != "cached"));
    Ok(())
}

#[test]
fn nan_is_refused_on_sqlite_rather_than_stored_as_null() {
    let db = db();
    let mut row = sample(1);
    row.f64_ = f64::NAN;
    let err = row.insert(&db).unwrap_err();
    assert!(matches!(&err, ormlet::Error::InvalidValue { column, .. } if column == "f64_"), "{err:?}");
    assert!(err.to_string().contains("NaN"));
    assert_eq!(Everything::find().count(&db).unwrap(), 0, "nothing written");
}

#[test]
fn u64_above_i64_max_is_refused() {
    let db = db();
    let mut row = sample(1);
    row.u64_ = u64::MAX;
    let err = row.insert(&db).unwrap_err();
    assert!(matches!(&err, ormlet::Error::InvalidValue { column, .. } if column == "u64_"), "{err:?}");
}

#[test]
fn filters_bind_each_type() -> ormlet::Result<()> {
    let db = db();
    let mut row = sample(5);
    row.insert(&db)?;
    let count = |cond| Everything::find().filter(cond).count(&db);
    assert_eq!(count(Everything::FLAG.eq(true))?, 1);
    assert_eq!(count(Everything::U8_.eq(255u8))?, 1);
    assert_eq!(count(Everything::U64_.eq(i64::MAX as u64))?, 1);
    assert_eq!(count(Everything::I8_.eq(i8::MIN))?, 1);
    assert_eq!(count(Everything::F64_.lt(0.0))?, 1);
    assert_eq!(count(Everything::BYTES.eq(&b""[..]))?, 1);
    assert_eq!(count(Everything::TEXT.eq(""))?, 1);
    assert_eq!(count(Everything::MAYBE_TEXT.is_null())?, 1);
    assert_eq!(count(Everything::MAYBE_I64.eq(None))?, 0, "= NULL matches nothing, as in SQL");
    Ok(())
}
