//! Validation of the registration forms.

use super::*;

fn form(phone: &str, tokens: &str, wh_per_mile: &str) -> JoinForm {
    JoinForm {
        phone: phone.to_owned(),
        tokens: tokens.to_owned(),
        wh_per_mile: wh_per_mile.to_owned(),
    }
}

fn us() -> Country {
    Country::default()
}

fn gb() -> Country {
    Country::parse("GB").unwrap()
}

#[test]
fn us_numbers_of_ten_digits_get_the_country_code() {
    for typed in [
        "4155550101",
        "(415) 555-0101",
        "415.555.0101",
        "1 415 555 0101",
        "+1 415 555 0101",
    ] {
        assert_eq!(
            parse_phone(typed, us()).expect(typed).as_e164(),
            "+14155550101",
            "{typed}"
        );
    }
    assert_eq!(
        parse_phone("+44 7700 900109", us()).expect("UK").as_e164(),
        "+447700900109"
    );
}

#[test]
fn a_london_driver_types_a_british_number_at_a_british_site() {
    assert_eq!(
        parse_phone("07700 900123", gb()).expect("GB").as_e164(),
        "+447700900123"
    );
    // The same digits at an American site are not an American number.
    let message = parse_phone("07700 900123", us()).unwrap_err();
    assert_eq!(
        message,
        "No network gives out that number: use a US mobile number such as (201) 555-0123, or another country's with its code, such as +1 201-555-0123."
    );
}

#[test]
fn numbers_no_network_could_text_are_rejected() {
    for typed in ["555 0101", "04155550101", "415555010x", "+1", "+1 555"] {
        assert!(parse_phone(typed, us()).is_err(), "{typed}");
    }
    assert_eq!(
        parse_phone("  ", us()).unwrap_err(),
        "Enter your mobile number."
    );
}

#[test]
fn tokens_may_be_separated_by_commas_or_spaces_and_duplicates_are_dropped() {
    let tokens = parse_tokens("abc, DEF\nghi abc").expect("valid");
    let names: Vec<&str> = tokens.iter().map(TokenUid::as_str).collect();
    assert_eq!(names, ["ABC", "DEF", "GHI"]);
}

#[test]
fn at_least_one_token_is_needed_and_each_must_be_a_valid_uid() {
    assert!(parse_tokens(" , ").unwrap_err().contains("at least one"));
    let too_long = "A".repeat(37);
    assert!(parse_tokens(&too_long).unwrap_err().contains("AAAA"));
    let many: Vec<String> = (0..21).map(|i| format!("T{i}")).collect();
    assert!(
        parse_tokens(&many.join(" "))
            .unwrap_err()
            .contains("at most 20")
    );
}

#[test]
fn wh_per_mile_defaults_to_300_and_must_be_in_range() {
    assert_eq!(parse_wh_per_mile(" ").expect("default").get(), 300.0);
    assert_eq!(parse_wh_per_mile("250").expect("valid").get(), 250.0);
    assert!(parse_wh_per_mile("abc").is_err());
    assert!(parse_wh_per_mile("50").unwrap_err().contains("100 to 1000"));
}

#[test]
fn every_invalid_field_of_the_join_form_gets_a_message() {
    let errors = form("12", "", "5000").parse(us()).unwrap_err();
    assert!(errors.get(PHONE).is_some());
    assert!(errors.get(TOKENS).is_some());
    assert!(errors.get(WH_PER_MILE).is_some());
    assert_eq!(errors.len(), 3);
}

#[test]
fn the_vehicle_survives_the_round_trip_through_the_code_form() {
    let registration = form("4155550101", "card-1 app-2", "")
        .parse(us())
        .expect("valid");
    let carried = CodeForm::carrying(&registration.vehicle);
    assert_eq!(carried.tokens, "CARD-1 APP-2");
    assert_eq!(carried.vehicle().expect("valid"), registration.vehicle);
    let tampered = CodeForm {
        wh_per_mile: "-1".to_owned(),
        ..carried
    };
    assert!(tampered.vehicle().unwrap_err().get(WH_PER_MILE).is_some());
}
