use std::io::Cursor;

use super::*;

const HEADER: &str = "arrival,departure,requested_energy (kWh),delivered_energy (kWh),station_id,session_id,estimated_departure,claimed";

fn csv(rows: &[&str]) -> String {
    let mut text = HEADER.to_owned();
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text
}

const GOOD: &str = "2019-05-01 06:33:14-07:00,2019-05-01 11:50:55-07:00,21.84,17.666,CA-314,s1,2019-05-01 11:27:14-07:00,True";

#[test]
fn a_good_row_is_read_with_every_column() {
    let read = read(Cursor::new(csv(&[GOOD])), false).expect("reads");

    let s = &read.sessions[0];
    assert_eq!(s.line, 2);
    assert_eq!(s.station_id, "CA-314");
    assert_eq!(s.arrival.to_rfc3339(), "2019-05-01T13:33:14+00:00");
    assert!((s.requested_kwh - 21.84).abs() < 1e-9 && (s.delivered_kwh - 17.666).abs() < 1e-9);
    assert!(s.claimed && s.estimated_departure.is_some());
}

#[test]
fn a_bad_row_stops_the_read_naming_its_line() {
    let text = csv(&[
        GOOD,
        GOOD,
        "2019-05-01 06:33:14-07:00,yesterday,1,1,CA-314,s3,,True",
    ]);

    let Err(Failure::Row(row)) = read(Cursor::new(text), false) else {
        panic!("a bad row must stop the read");
    };

    assert_eq!(row.line, 4);
    assert!(row.reason.contains("departure"), "{}", row.reason);
}

#[test]
fn bad_rows_are_skipped_and_listed_only_when_asked() {
    let text = csv(&[
        "2019-05-01 06:33:14-07:00,2019-05-01 05:00:00-07:00,1,1,CA-314,s1,,True",
        GOOD,
        "too,few",
        "2019-05-01 06:33:14-07:00,2019-05-01 11:50:55-07:00,-3,1,CA-314,s4,,True",
        "2019-05-01 06:33:14-07:00,2019-05-01 11:50:55-07:00,3,1,CA-314,s5,,Maybe",
    ]);

    let read = read(Cursor::new(text), true).expect("skips");

    assert_eq!(read.sessions.len(), 1);
    let lines: Vec<usize> = read.skipped.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![2, 4, 5, 6]);
}

#[test]
fn a_missing_column_is_named() {
    let text = "arrival,departure\n2019-05-01 06:33:14-07:00,2019-05-01 11:50:55-07:00";

    let Err(Failure::MissingColumn(column)) = read(Cursor::new(text), true) else {
        panic!("a missing column must stop the read");
    };

    assert_eq!(column, "requested_energy (kWh)");
}

#[test]
fn a_gzip_file_reads_like_the_plain_one_and_an_empty_one_is_an_error() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().expect("dir");
    let gz = dir.path().join("s.csv.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).expect("file"),
        flate2::Compression::default(),
    );
    encoder
        .write_all(csv(&[GOOD, GOOD]).as_bytes())
        .expect("write");
    encoder.finish().expect("finish");
    let empty = dir.path().join("e.csv");
    std::fs::write(&empty, HEADER).expect("write");
    let truncated = dir.path().join("t.csv.gz");
    let bytes = std::fs::read(&gz).expect("read");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");

    assert_eq!(read_file(&gz, false).expect("gzip").sessions.len(), 2);
    assert!(matches!(
        read_file(&empty, false),
        Err(ReadError::Empty { .. })
    ));
    assert!(
        read_file(&truncated, true).is_err(),
        "a truncated gzip is not silently short"
    );
}
